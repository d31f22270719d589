package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

final class MetricNamesTest {
    @Test
    void readsSelectorsNotFunctionsLabelsOrVariables() {
        assertEquals(Set.of("a_total", "b", "c_bucket"), MetricNames.usedBy(
                "sum by (database, le) (rate(a_total{x=\"y\", tenant=~\"$tenant\"}[$__rate_interval])) "
                        + "/ on(database) group_left(user) b > bool 0.8 and ignoring (le) "
                        + "histogram_quantile(0.95, sum without (user) (c_bucket offset 5m)) or vector(1e3)"));
    }

    @Test
    void documentedNamesComeFromTheReadmeTables() {
        Set<String> names = MetricNames.documented();
        assertTrue(names.containsAll(Set.of("pgmux_pool_client_connections", "pgmux_transactions_total",
                "pgmux_client_parses_total", "pgmux_binds_total", "pgmux_wait_duration_seconds_bucket",
                "pgmux_wait_duration_seconds_sum", "pgmux_wait_duration_seconds_count", "pgbouncer_up",
                "pgbouncer_pools_client_active_connections", "up")), names.toString());
        assertTrue(!names.contains("pgmux_wait_duration_seconds"), "a histogram has no series of its bare name");
        assertTrue(names.stream().noneMatch(name -> name.startsWith("_")), names.toString());
    }
}
