package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** docker/prometheus/alerts.yml: loaded by the compose Prometheus, valid, tested, and on pgmux's own metrics. */
final class AlertRulesTest {
    static final Path RULES = Repository.DOCKER.resolve("prometheus/alerts.yml");
    private static final Path RULE_TESTS = Repository.DOCKER.resolve("prometheus/alerts.test.yml");

    private static List<Map<String, Object>> rules() {
        return YamlFiles.mapsAt(YamlFiles.document(RULES), "groups").stream()
                .flatMap(group -> YamlFiles.mapsAt(group, "rules").stream()).toList();
    }

    @Test
    void theComposePrometheusLoadsTheRules() {
        Map<String, Object> prometheus = YamlFiles.mapAt(YamlFiles.document(Repository.DOCKER.resolve("compose.yaml")),
                "services.prometheus");
        Map<String, Object> config = YamlFiles.document(Repository.DOCKER.resolve("prometheus.yml"));
        List<Object> ruleFiles = YamlFiles.list(config.get("rule_files"), "rule_files");
        // Prometheus resolves rule_files against the directory of its configuration file.
        assertEquals(List.of(RULES), ruleFiles.stream()
                .map(file -> ComposeMounts.hostPath(prometheus, "/etc/prometheus/" + file)).toList());
        assertTrue(Files.isRegularFile(RULES));
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Promtool.Result result = Promtool.run(RULES.getParent(), "check", "rules", RULES.getFileName().toString());
        assertEquals(0, result.exitCode(), result.output());
    }

    @Test
    void theRulesPassTheirUnitTests() throws Exception {
        Promtool.Result result = Promtool.run(RULE_TESTS.getParent(), "test", "rules",
                RULE_TESTS.getFileName().toString());
        assertEquals(0, result.exitCode(), result.output());
    }

    @Test
    void everyAlertHasAUnitTest() {
        Set<String> tested = new TreeSet<>();
        for (Map<String, Object> group : YamlFiles.mapsAt(YamlFiles.document(RULE_TESTS), "tests")) {
            YamlFiles.mapsAt(group, "alert_rule_test").forEach(test -> tested.add((String) test.get("alertname")));
        }
        Set<String> alerts = new TreeSet<>(rules().stream().map(rule -> (String) rule.get("alert")).toList());
        assertEquals(alerts, tested);
    }

    @Test
    void theAlertsOperatorsNeed() {
        assertEquals(List.of("PgmuxClientsWaiting", "PgmuxTenantUtilizationHigh", "PgmuxUpstreamCircuitOpen",
                        "PgmuxAuthFailureSpike", "PgmuxNotReady", "PgmuxDown"),
                rules().stream().map(rule -> rule.get("alert")).toList());
        for (Map<String, Object> rule : rules()) {
            String name = (String) rule.get("alert");
            assertTrue(Set.of("warning", "critical").contains(YamlFiles.mapAt(rule, "labels").get("severity")), name);
            Map<String, Object> annotations = YamlFiles.mapAt(rule, "annotations");
            assertTrue(annotations.get("summary") instanceof String s && !s.isBlank(), name);
            assertTrue(annotations.get("description") instanceof String s && !s.isBlank(), name);
        }
    }

    @Test
    void everyRuleReadsMetricsPgmuxPublishes() {
        Set<String> documented = MetricNames.documented();
        Set<String> unknown = new LinkedHashSet<>();
        for (Map<String, Object> rule : rules()) {
            Set<String> used = MetricNames.usedBy((String) rule.get("expr"));
            assertTrue(!used.isEmpty(), rule.get("alert") + " reads no metric");
            used.stream().filter(name -> !documented.contains(name))
                    .forEach(name -> unknown.add(rule.get("alert") + ": " + name));
        }
        assertEquals(Set.of(), unknown, "not in the README's metric tables");
    }
}
