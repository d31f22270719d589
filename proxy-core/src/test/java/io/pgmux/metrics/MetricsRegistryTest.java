package io.pgmux.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.ConfigLoader;
import io.pgmux.stats.PoolStats;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {
    private static final String YAML = """
            databases: {app: {host: 127.0.0.1, port: 1}}
            tenants: {web: {pool_size: 4, reserve_pool_size: 1}}
            users:
              - {name: api, password: pw, tenant: web}
              - {name: loner, password: pw}
            metrics: {pgbouncer_compat: %s}
            """;

    private TestPools pools;
    private MetricsRegistry metrics;

    @AfterEach
    void close() {
        metrics.close();
        pools.close();
    }

    private String scrape(boolean compat, String accept) throws Exception {
        pools = new TestPools(YAML.formatted(compat));
        pools.pools.pool("app", "api");
        pools.pools.pool("app", "loner");
        PoolStats api = pools.pools.stats().pool("app", "api", "web");
        api.recordQuery(300);
        api.recordQuery(2_000_000);
        api.recordTransaction(2_500_000);
        api.addBytes(100, 2_000);
        api.clientLoggedIn();
        api.serverAssigned(0);
        pools.pools.stats().authFailed("app", "api", "web");
        pools.pools.stats().unknownUserLogin("app");
        Readiness readiness = new Readiness(pools.pools, () -> ServingState.SERVING);
        metrics = new MetricsRegistry(pools.config, pools.pools, readiness);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String contentType = metrics.scrape(accept, out);
        assertEquals(accept != null && accept.contains("openmetrics") ? MetricsRegistry.OPENMETRICS
                : MetricsRegistry.PROMETHEUS_TEXT, contentType);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void poolsCountersHistogramsAndTheJvm() throws Exception {
        String text = scrape(false, null);
        assertLine(text, "pgmux_queries_total{database=\"app\",tenant=\"web\",user=\"api\"} 2.0");
        assertLine(text, "pgmux_received_bytes_total{database=\"app\",tenant=\"web\",user=\"api\"} 100.0");
        assertLine(text, "pgmux_auth_failures_total{database=\"app\",tenant=\"web\",user=\"api\"} 1.0");
        assertLine(text, "pgmux_auth_failures_unknown_user_total{database=\"app\"} 1.0");
        // 300 µs falls in le=5.0E-4 (Java prints small bounds so; Prometheus parses any float); 2 s in le=2.5.
        assertLine(text, "pgmux_query_duration_seconds_bucket{database=\"app\",tenant=\"web\",user=\"api\",le=\"2.5E-4\"} 0");
        assertLine(text, "pgmux_query_duration_seconds_bucket{database=\"app\",tenant=\"web\",user=\"api\",le=\"5.0E-4\"} 1");
        assertLine(text, "pgmux_query_duration_seconds_bucket{database=\"app\",tenant=\"web\",user=\"api\",le=\"2.5\"} 2");
        assertLine(text, "pgmux_query_duration_seconds_bucket{database=\"app\",tenant=\"web\",user=\"api\",le=\"+Inf\"} 2");
        assertLine(text, "pgmux_query_duration_seconds_count{database=\"app\",tenant=\"web\",user=\"api\"} 2");
        assertLine(text, "pgmux_query_duration_seconds_sum{database=\"app\",tenant=\"web\",user=\"api\"} 2.0003");
        assertLine(text, "pgmux_pool_client_connections{database=\"app\",state=\"active\",tenant=\"web\",user=\"api\"} 1.0");
        assertLine(text, "pgmux_pool_server_connections{database=\"app\",state=\"idle\",tenant=\"\",user=\"loner\"} 0.0");
        assertLine(text, "pgmux_tenant_budget_connections{database=\"app\",tenant=\"web\"} 4.0");
        assertLine(text, "pgmux_tenant_reserve_connections{database=\"app\",tenant=\"web\"} 1.0");
        assertLine(text, "pgmux_tenant_server_connections{database=\"app\",tenant=\"web\"} 0.0");
        assertLine(text, "pgmux_tenant_active_server_connections{database=\"app\",tenant=\"web\"} 0.0");
        assertLine(text, "pgmux_tenant_utilization_ratio{database=\"app\",tenant=\"web\"} 0.0");
        assertLine(text, "pgmux_database_ready{database=\"app\"} 1.0");
        assertLine(text, "pgmux_ready 1.0");
        assertLine(text, "# TYPE pgmux_wait_duration_seconds histogram");
        assertTrue(text.contains("jvm_memory_used_bytes{"), "JvmMemoryMetrics");
        assertTrue(text.contains("jvm_threads_live_threads "), "JvmThreadMetrics");
        assertTrue(text.contains("process_uptime_seconds "), "UptimeMetrics");
        assertTrue(text.contains("jvm_available_processors "), "ProcessorMetrics, renamed");
        assertTrue(text.contains("process_cpu_seconds_total "), "in seconds, as Prometheus names it");
        assertFalse(text.contains("process_cpu_time_ns"));
        assertFalse(text.contains("pgbouncer_"), "the compatible family is off by default");
    }

    @Test
    void pgbouncerFamiliesWhenAskedFor() throws Exception {
        String text = scrape(true, null);
        assertLine(text, "pgbouncer_up 1.0");
        assertLine(text, "pgbouncer_pools_client_active_connections{database=\"app\",user=\"api\"} 1.0");
        assertLine(text, "pgbouncer_pools_client_waiting_connections{database=\"app\",user=\"api\"} 0.0");
        assertLine(text, "pgbouncer_pools_server_login_connections{database=\"app\",user=\"loner\"} 0.0");
        assertLine(text, "pgbouncer_pools_client_maxwait_seconds{database=\"app\",user=\"api\"} 0.0");
        assertLine(text, "pgbouncer_stats_totals_queries_pooled_total{database=\"app\"} 2.0");
        assertLine(text, "pgbouncer_stats_queries_pooled_total{database=\"app\"} 2.0");
        assertLine(text, "pgbouncer_stats_totals_queries_duration_seconds_total{database=\"app\"} 2.0003");
        assertLine(text, "pgbouncer_stats_queries_duration_seconds_total{database=\"app\"} 2.0003");
        assertLine(text, "pgbouncer_stats_totals_server_in_transaction_seconds_total{database=\"app\"} 2.5");
        assertLine(text, "pgbouncer_stats_totals_received_bytes_total{database=\"app\"} 100.0");
        assertLine(text, "pgbouncer_stats_totals_sent_bytes_total{database=\"app\"} 2000.0");
        assertLine(text, "pgbouncer_stats_totals_server_assignments_total{database=\"app\"} 1.0");
        assertLine(text, "pgbouncer_databases_max_connections{database=\"app\",force_user=\"\",host=\"127.0.0.1\","
                + "name=\"app\",pool_mode=\"\",port=\"1\"} 0.0");
        assertLine(text, "pgbouncer_pools 2.0");
    }

    @Test
    void pgbouncerDatabaseListFollowsAReload() throws Exception {
        scrape(true, null);
        pools.pools.reconfigure(ConfigLoader.parse(YAML.formatted(true).replace(
                "databases: {app: {host: 127.0.0.1, port: 1}}",
                "databases: {app: {host: 127.0.0.1, port: 1}, reports: {host: 127.0.0.1, port: 2}}"),
                "test.yaml", Map.of()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.scrape(null, out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertLine(text, "pgbouncer_databases_max_connections{database=\"reports\",force_user=\"\",host=\"127.0.0.1\","
                + "name=\"reports\",pool_mode=\"\",port=\"2\"} 0.0");
        assertLine(text, "pgbouncer_databases 2.0");
    }

    @Test
    void promtoolAcceptsTheScrape() throws Exception {
        Promtool.assertValid(scrape(true, null));
    }

    @Test
    void openMetricsWhenTheScraperPrefersIt() throws Exception {
        String text = scrape(false, "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertTrue(text.endsWith("# EOF\n"), text.substring(Math.max(0, text.length() - 100)));
        assertTrue(text.contains("# UNIT pgmux_query_duration_seconds seconds"));
    }

    private static void assertLine(String text, String line) {
        assertTrue(("\n" + text).contains("\n" + line + "\n"), () -> "no line\n  " + line + "\nin\n"
                + text.lines().filter(l -> l.startsWith(line.substring(0, Math.min(line.length(), 20))))
                        .reduce("", (a, b) -> a + "  " + b + "\n"));
    }
}
