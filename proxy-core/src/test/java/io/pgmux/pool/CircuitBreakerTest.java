package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The circuit of one upstream: closed, open for a back-off after a failure, half-open for a single probe. Time is
 * passed in, as the pools pass their ticker's readings; the back-off's jitter is bounded, so the tests move the
 * clock by the delay the breaker returned.
 */
class CircuitBreakerTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long START = 1_000 * SECOND;

    private final CircuitBreaker breaker = new CircuitBreaker("db:5432", Duration.ofSeconds(1));

    @Test
    void theMovesAreTheOnesWrittenHere() {
        Map<CircuitState, Set<CircuitState>> legal = new EnumMap<>(CircuitState.class);
        legal.put(CircuitState.CLOSED, EnumSet.of(CircuitState.OPEN));
        legal.put(CircuitState.OPEN, EnumSet.of(CircuitState.HALF_OPEN, CircuitState.CLOSED));
        legal.put(CircuitState.HALF_OPEN, EnumSet.of(CircuitState.OPEN, CircuitState.CLOSED));
        for (CircuitState from : CircuitState.values()) {
            for (CircuitState to : CircuitState.values()) {
                assertEquals(legal.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
            }
        }
    }

    @Test
    void aClosedCircuitLetsEveryAttemptThrough() {
        assertEquals(CircuitState.CLOSED, breaker.state());
        assertTrue(breaker.allowsOpening(START));
        breaker.attemptStarted();
        assertTrue(breaker.allowsOpening(START), "no probe in a closed circuit");
        breaker.attemptStarted();
        assertEquals(2, breaker.attempts());
        assertFalse(breaker.succeeded(), "nothing was open");
        assertEquals(CircuitState.CLOSED, breaker.state());
    }

    @Test
    void aFailureOpensTheCircuitForTheBackoff() {
        breaker.attemptStarted();
        long delay = breaker.failed(START);
        assertTrue(delay >= SECOND / 2 && delay <= SECOND, "the first back-off is jittered within 0.5-1 s: " + delay);
        assertEquals(CircuitState.OPEN, breaker.state());
        assertFalse(breaker.allowsOpening(START));
        assertFalse(breaker.allowsOpening(START + delay - 1));
        assertEquals(CircuitState.OPEN, breaker.state());
        assertTrue(breaker.allowsOpening(START + delay));
        assertEquals(CircuitState.HALF_OPEN, breaker.state());
    }

    @Test
    void aHalfOpenCircuitLetsOneProbeThroughAndItsSuccessClosesIt() {
        long delay = breaker.failed(START);
        assertTrue(breaker.allowsOpening(START + delay));
        assertTrue(breaker.allowsOpening(START + delay), "until the probe starts");
        breaker.attemptStarted();
        assertFalse(breaker.allowsOpening(START + delay), "the others wait for the probe");
        assertFalse(breaker.allowsOpening(START + 100 * SECOND));
        assertTrue(breaker.succeeded(), "closing an open circuit frees the waiters elsewhere");
        assertEquals(CircuitState.CLOSED, breaker.state());
        assertEquals(0, breaker.consecutiveFailures());
        assertTrue(breaker.allowsOpening(START + delay));
    }

    @Test
    void aFailedProbeOpensItAgainForLonger() {
        long first = breaker.failed(START);
        long now = START + first;
        assertTrue(breaker.allowsOpening(now));
        breaker.attemptStarted();
        long second = breaker.failed(now);
        assertEquals(CircuitState.OPEN, breaker.state());
        assertEquals(2, breaker.consecutiveFailures());
        assertTrue(second >= SECOND && second <= 2 * SECOND, "the back-off doubles: " + second);
        assertFalse(breaker.allowsOpening(now + second - 1));
        assertTrue(breaker.allowsOpening(now + second));
        breaker.attemptStarted();
        assertFalse(breaker.allowsOpening(now + second), "a new probe after the failed one");
    }

    @Test
    void failuresOfAttemptsInFlightWhenItOpenedDoNotStretchTheBackoff() {
        long delay = breaker.failed(START);
        assertEquals(-1, breaker.failed(START + 1));
        assertEquals(-1, breaker.failed(START + delay - 1));
        assertEquals(1, breaker.consecutiveFailures());
        assertTrue(breaker.allowsOpening(START + delay));
    }

    @Test
    void anAttemptThatStartedBeforeItOpenedMayStillCloseIt() {
        breaker.attemptStarted();
        breaker.failed(START);
        assertTrue(breaker.succeeded());
        assertEquals(CircuitState.CLOSED, breaker.state());
    }

    @Test
    void theBackoffStopsGrowingAtFiveSeconds() {
        long now = START;
        long delay = 0;
        for (int i = 0; i < 25; i++) {
            delay = breaker.failed(now);
            now += delay;
            assertTrue(breaker.allowsOpening(now));
            breaker.attemptStarted();
        }
        assertTrue(delay >= 5 * SECOND / 2 && delay <= 5 * SECOND, "capped: " + delay);
    }

    @Test
    void noOrderOfEventsMakesAnIllegalMove() {
        // Every sequence of six events, the clock moving 300 ms between them (less than a back-off): the breaker's
        // own moves are all in its table (an illegal one would throw), and an open circuit never lets an attempt
        // through before its back-off has passed.
        int events = 4;
        int length = 6;
        int sequences = (int) Math.pow(events, length);
        for (int code = 0; code < sequences; code++) {
            CircuitBreaker each = new CircuitBreaker("db:5432", Duration.ofSeconds(1));
            long now = START;
            long openUntil = Long.MIN_VALUE;
            int rest = code;
            for (int step = 0; step < length; step++, rest /= events, now += TimeUnit.MILLISECONDS.toNanos(300)) {
                switch (rest % events) {
                    case 0 -> {
                        boolean allowed = each.allowsOpening(now);
                        if (now < openUntil) {
                            assertFalse(allowed, "sequence " + code);
                        }
                    }
                    case 1 -> each.attemptStarted();
                    case 2 -> {
                        each.succeeded();
                        openUntil = Long.MIN_VALUE;
                    }
                    default -> {
                        long delay = each.failed(now);
                        if (delay >= 0) {
                            openUntil = now + delay;
                        }
                    }
                }
            }
        }
    }

    @Test
    void statusReportsWhenTheUpstreamLastAnswered() {
        assertEquals(-1, breaker.status(START, 0).nanosSinceAnswered());
        breaker.answered(START);
        breaker.attemptStarted();
        UpstreamStatus status = breaker.status(START + SECOND, 0);
        assertEquals("db:5432", status.address());
        assertEquals(CircuitState.CLOSED, status.circuit());
        assertEquals(1, status.attempts());
        assertEquals(SECOND, status.nanosSinceAnswered());
        // Answers closer together than 100 ms are not written again (the release path calls this often).
        breaker.answered(START + TimeUnit.MILLISECONDS.toNanos(50));
        assertEquals(SECOND, breaker.status(START + SECOND, 0).nanosSinceAnswered());
        breaker.answered(START + TimeUnit.MILLISECONDS.toNanos(200));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(800), breaker.status(START + SECOND, 0).nanosSinceAnswered());
        breaker.failed(START + SECOND);
        assertEquals(CircuitState.OPEN, breaker.status(START + SECOND, 0).circuit());
    }
}
