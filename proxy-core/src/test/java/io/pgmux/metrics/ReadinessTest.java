package io.pgmux.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.metrics.Readiness.DatabaseHealth;
import io.pgmux.metrics.Readiness.FleetControl;
import io.pgmux.metrics.Readiness.Report;
import io.pgmux.pool.CircuitState;
import io.pgmux.pool.UpstreamStatus;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The readiness rule for one upstream, and the body of /health/ready. */
class ReadinessTest {
    private static final long JUST_NOW = TimeUnit.MILLISECONDS.toNanos(200);

    private static UpstreamStatus upstream(CircuitState circuit, long nanosSinceAnswered, int liveServers) {
        return new UpstreamStatus("127.0.0.1:5432", circuit, 7, nanosSinceAnswered, liveServers);
    }

    @Test
    void aClosedCircuitOrAnUpstreamNotUsedYetIsReady() {
        assertTrue(Readiness.isReady(null, FleetControl.NONE));
        assertTrue(Readiness.isReady(upstream(CircuitState.CLOSED, -1, 0), FleetControl.NONE));
    }

    @Test
    void anOpenCircuitIsReadyWhileLiveServersServe() {
        // One refused attempt ("too many clients") while the open connections keep serving.
        assertTrue(Readiness.isReady(upstream(CircuitState.OPEN, JUST_NOW, 3), FleetControl.NONE));
        assertTrue(Readiness.isReady(upstream(CircuitState.HALF_OPEN, JUST_NOW, 1), FleetControl.NONE));
        // A quiet pool has nothing to answer: its idle servers still serve.
        assertTrue(Readiness.isReady(upstream(CircuitState.OPEN, TimeUnit.MINUTES.toNanos(5), 1), FleetControl.NONE));
    }

    @Test
    void anOpenCircuitWithNoLiveServerIsNotReadyHoweverRecentTheLastAnswer() {
        // The database went down: its backends are gone, and a recent answer from before does not help.
        assertFalse(Readiness.isReady(upstream(CircuitState.OPEN, JUST_NOW, 0), FleetControl.NONE));
        assertFalse(Readiness.isReady(upstream(CircuitState.HALF_OPEN, JUST_NOW, 0), FleetControl.NONE));
        assertFalse(Readiness.isReady(upstream(CircuitState.OPEN, -1, 0), FleetControl.NONE));
    }

    @Test
    void aFleetWhoseControlConnectionIsDownIsNotReadyWhateverTheCircuit() {
        assertFalse(Readiness.isReady(null, FleetControl.DOWN));
        assertFalse(Readiness.isReady(upstream(CircuitState.CLOSED, JUST_NOW, 2), FleetControl.DOWN));
        assertTrue(Readiness.isReady(upstream(CircuitState.CLOSED, JUST_NOW, 2), FleetControl.UP));
    }

    @Test
    void theBodyNamesTheCircuitTheLiveServersAndTheLastAnswer() {
        Report report = new Report(ServingState.SERVING, List.of(
                new DatabaseHealth("app", "127.0.0.1:5432", upstream(CircuitState.OPEN, 8_900_000_000L, 0), false,
                        FleetControl.NONE),
                new DatabaseHealth("new", "127.0.0.1:5433", null, true, FleetControl.NONE)));
        assertFalse(report.ready());
        assertEquals("{\"status\":\"not ready\",\"state\":\"serving\",\"databases\":{"
                + "\"app\":{\"ready\":false,\"upstream\":\"127.0.0.1:5432\",\"circuit\":\"open\",\"live_servers\":0,"
                + "\"last_answer_seconds_ago\":8.900,\"connection_attempts\":7},"
                + "\"new\":{\"ready\":true,\"upstream\":\"127.0.0.1:5433\",\"circuit\":null}}}", report.toJson());
    }
}
