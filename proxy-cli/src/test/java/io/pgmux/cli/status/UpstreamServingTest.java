package io.pgmux.cli.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /health/ready's rule, read off SHOW DATABASES and SHOW POOLS. */
class UpstreamServingTest {
    private static final List<Map<String, String>> DATABASES = List.of(
            Map.of("name", "app", "host", "db1", "port", "5432"),
            Map.of("name", "reports", "host", "db1", "port", "5432"),
            Map.of("name", "audit", "host", "db2", "port", "5432"));

    private static Map<String, String> pool(String database, String circuit, int active, int idle) {
        return Map.of("database", database, "upstream_circuit", circuit, "sv_active", Integer.toString(active),
                "sv_active_cancel", "0", "sv_being_canceled", "0", "sv_idle", Integer.toString(idle), "sv_used", "0",
                "sv_tested", "0");
    }

    @Test
    void anOpenCircuitWithLiveServersAnywhereOnTheUpstreamIsReady() {
        // "too many clients" for reports' new connection while app's servers on the same upstream serve
        assertEquals(List.of(), UpstreamServing.unserved(DATABASES,
                List.of(pool("app", "open", 2, 1), pool("reports", "open", 0, 0), pool("audit", "closed", 0, 0))));
    }

    @Test
    void anOpenOrHalfOpenCircuitWithNoLiveServerIsNotReady() {
        assertEquals(List.of("app", "reports"), UpstreamServing.unserved(DATABASES,
                List.of(pool("app", "open", 0, 0), pool("reports", "half_open", 0, 0), pool("audit", "closed", 0, 0))));
        assertEquals(List.of("audit"), UpstreamServing.unserved(DATABASES,
                List.of(pool("app", "closed", 0, 0), pool("audit", "open", 0, 0))));
    }

    @Test
    void aClosedCircuitIsReadyWithoutServersAndNoPoolsMeansNothingKnownToBeWrong() {
        assertEquals(List.of(), UpstreamServing.unserved(DATABASES, List.of(pool("app", "closed", 0, 0))));
        assertEquals(List.of(), UpstreamServing.unserved(DATABASES, List.of()));
    }
}
