package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/grafana/dashboards/pgmux.json: every query is valid PromQL on metrics pgmux publishes, it shows what an
 * operator asks first, and Grafana's provisioning in compose finds it and the Prometheus it queries.
 */
final class DashboardTest {
    private static final Path DASHBOARD = Repository.DOCKER.resolve("grafana/dashboards/pgmux.json");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
    /** Grafana's variables, and stand-ins that keep an expression valid PromQL. */
    private static final Map<String, String> VARIABLES = Map.of("$__rate_interval", "1m", "$database", ".*",
            "$tenant", ".*");

    // JSON is YAML 1.1 for the documents Grafana writes, so the module's YAML reader serves.
    private static final Map<String, Object> JSON = YamlFiles.document(DASHBOARD);

    private static List<Map<String, Object>> panels() {
        List<Map<String, Object>> panels = new ArrayList<>();
        for (Map<String, Object> panel : YamlFiles.mapsAt(JSON, "panels")) {
            panels.add(panel);
            if (panel.containsKey("panels")) {
                panels.addAll(YamlFiles.mapsAt(panel, "panels"));
            }
        }
        return panels;
    }

    private static List<String> expressions() {
        List<String> expressions = new ArrayList<>();
        for (Map<String, Object> panel : panels()) {
            if (panel.containsKey("targets")) {
                YamlFiles.mapsAt(panel, "targets").forEach(target -> expressions.add((String) target.get("expr")));
            }
        }
        return expressions;
    }

    private static List<Map<String, Object>> variables() {
        return YamlFiles.mapsAt(JSON, "templating.list");
    }

    @Test
    void everyExpressionReadsMetricsPgmuxPublishes() {
        Set<String> documented = MetricNames.documented();
        Set<String> unknown = new LinkedHashSet<>();
        for (String expr : expressions()) {
            Set<String> used = MetricNames.usedBy(expr);
            assertTrue(!used.isEmpty(), expr + " reads no metric");
            used.stream().filter(name -> !documented.contains(name)).forEach(name -> unknown.add(name + " in " + expr));
        }
        for (Map<String, Object> variable : variables()) {
            if ("query".equals(variable.get("type"))) {
                Matcher metric = LABEL_VALUES.matcher((String) YamlFiles.mapAt(variable, "query").get("query"));
                assertTrue(metric.find(), String.valueOf(variable));
                if (!documented.contains(metric.group(1))) {
                    unknown.add(metric.group(1) + " in variable " + variable.get("name"));
                }
            }
        }
        assertEquals(Set.of(), unknown, "not in the README's metric tables");
    }

    /** promtool parses every query, as a recording rule, once Grafana's variables are replaced. */
    @Test
    void everyExpressionIsValidPromql(@TempDir Path dir) throws Exception {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String expr : expressions()) {
            String concrete = expr;
            for (Map.Entry<String, String> variable : VARIABLES.entrySet()) {
                concrete = concrete.replace(variable.getKey(), variable.getValue());
            }
            assertTrue(!concrete.contains("$"), "a variable without a stand-in: " + expr);
            rules.append("      - record: dashboard:query").append(n++).append("\n        expr: '")
                    .append(concrete.replace("'", "''")).append("'\n");
        }
        Files.writeString(dir.resolve("dashboard.yml"), rules);
        Promtool.Result result = Promtool.run(dir, "check", "rules", "dashboard.yml");
        assertEquals(0, result.exitCode(), result.output());
    }

    /** What an operator asks first: who uses the connections, who waits and how long, and is the upstream up. */
    @Test
    void showsPoolsTenantsWaitsTrafficCircuitsAndAuthFailures() {
        Set<String> used = new TreeSet<>();
        expressions().forEach(expr -> used.addAll(MetricNames.usedBy(expr)));
        assertTrue(used.containsAll(List.of("pgmux_pool_client_connections", "pgmux_pool_server_connections",
                "pgmux_pool_max_wait_seconds", "pgmux_tenant_utilization_ratio", "pgmux_tenant_budget_connections",
                "pgmux_tenant_server_connections", "pgmux_tenant_active_server_connections",
                "pgmux_wait_duration_seconds_bucket", "pgmux_transactions_total",
                "pgmux_queries_total", "pgmux_received_bytes_total", "pgmux_sent_bytes_total",
                "pgmux_database_upstream_circuit", "pgmux_auth_failures_total", "pgmux_ready")), used.toString());
        assertTrue(expressions().stream().anyMatch(expr -> expr.contains("histogram_quantile(")
                && expr.contains("rate(pgmux_wait_duration_seconds_bucket")));
    }

    @Test
    void panelsQueryTheChosenDataSourceAndDoNotOverlap() {
        Map<String, Object> datasource = variables().get(0);
        assertEquals(List.of("datasource", "datasource", "prometheus"),
                List.of(datasource.get("name"), datasource.get("type"), datasource.get("query")));
        List<int[]> boxes = new ArrayList<>();
        for (Map<String, Object> panel : panels()) {
            Map<String, Object> grid = YamlFiles.mapAt(panel, "gridPos");
            int[] box = {(int) grid.get("x"), (int) grid.get("y"), (int) grid.get("w"), (int) grid.get("h")};
            assertTrue(box[0] >= 0 && box[0] + box[2] <= 24, panel.get("title") + " fits the 24 columns");
            for (int[] other : boxes) {
                boolean overlap = box[0] < other[0] + other[2] && other[0] < box[0] + box[2]
                        && box[1] < other[1] + other[3] && other[1] < box[1] + box[3];
                assertTrue(!overlap, panel.get("title") + " overlaps another panel");
            }
            boxes.add(box);
            if (panel.containsKey("targets")) {
                assertEquals("${datasource}", YamlFiles.mapAt(panel, "datasource").get("uid"), (String) panel.get("title"));
                for (Map<String, Object> target : YamlFiles.mapsAt(panel, "targets")) {
                    assertEquals("${datasource}", YamlFiles.mapAt(target, "datasource").get("uid"));
                }
            }
        }
    }

    @Test
    void grafanaProvisionsTheComposePrometheusAndThisDashboard() {
        Map<String, Object> compose = YamlFiles.document(Repository.DOCKER.resolve("compose.yaml"));
        Map<String, Object> grafana = YamlFiles.mapAt(compose, "services.grafana");

        Path datasources = ComposeMounts.hostPath(grafana, "/etc/grafana/provisioning/datasources/prometheus.yaml");
        Map<String, Object> source = YamlFiles.mapsAt(YamlFiles.document(datasources), "datasources").get(0);
        List<Object> ports = YamlFiles.list(YamlFiles.mapAt(compose, "services.prometheus").get("ports"), "ports");
        String prometheusPort = String.valueOf(ports.get(0)).split(":")[1];
        assertEquals("http://prometheus:" + prometheusPort, source.get("url"));
        assertEquals("prometheus", source.get("type"));
        // The variable's default names the provisioned source, so the dashboard works on first start.
        assertEquals(source.get("uid"), YamlFiles.mapAt(variables().get(0), "current").get("value"));

        Path providers = ComposeMounts.hostPath(grafana, "/etc/grafana/provisioning/dashboards/pgmux.yaml");
        Map<String, Object> provider = YamlFiles.mapsAt(YamlFiles.document(providers), "providers").get(0);
        String path = (String) YamlFiles.mapAt(provider, "options").get("path");
        assertEquals(DASHBOARD, ComposeMounts.hostPath(grafana, path + "/pgmux.json"));
    }
}
