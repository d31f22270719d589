package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.cli.env.DatabaseUrl;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifests under docker/k8s parse, hold the expected objects, and agree with the pgmux configuration they
 * carry: probes ask the configured metrics port, every ${VAR} is in the container's environment, every secret
 * key exists, the grace period covers preStop and shutdown_timeout.
 */
final class KubernetesTest {
    private static final Path K8S = Repository.DOCKER.resolve("k8s");
    /** The sidecar's commented fleet example: its ConfigMap key and the pgmux container's instance id. */
    private static final Pattern COMMENTED_FLEET = Pattern.compile("(?m)^(\\s*)# (fleet: \\{.*|- name:"
            + " PGMUX_FLEET_INSTANCE_ID|  valueFrom:|    fieldRef:|      fieldPath: metadata\\.name)$");
    private static final Pattern SHUTDOWN_TIMEOUT = Pattern.compile("(?m)^\\s*#?\\s*shutdown_timeout:\\s*(\\d+)s\\b");

    private static List<Map<String, Object>> documents(String file) {
        return YamlFiles.documents(K8S.resolve(file));
    }

    private static Map<String, Object> only(String file, String kind) {
        List<Map<String, Object>> found = documents(file).stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertEquals(1, found.size(), file + ": one " + kind);
        return found.get(0);
    }

    private static Map<String, Object> pgmuxContainer(String file) {
        return YamlFiles.mapsAt(only(file, "Deployment"), "spec.template.spec.containers").stream()
                .filter(c -> "pgmux".equals(c.get("name"))).findFirst().orElseThrow();
    }

    /** The text of the pgmux.yaml the pgmux container mounts at /etc/pgmux. */
    private static String mountedConfig(String file) {
        Map<String, Object> container = pgmuxContainer(file);
        Map<String, Object> mount = YamlFiles.maps(container.get("volumeMounts"), "volumeMounts").stream()
                .filter(m -> "/etc/pgmux".equals(m.get("mountPath"))).findFirst().orElseThrow();
        assertEquals(true, mount.get("readOnly"));
        Map<String, Object> volume = YamlFiles.mapsAt(only(file, "Deployment"), "spec.template.spec.volumes").stream()
                .filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow();
        String configMap = (String) YamlFiles.at(volume, "configMap.name");
        Map<String, Object> map = only(file, "ConfigMap");
        assertEquals(configMap, YamlFiles.at(map, "metadata.name"));
        return (String) YamlFiles.mapAt(map, "data").get("pgmux.yaml");
    }

    /** The container's environment, with a stand-in for every value that comes from a secret. */
    private static Map<String, String> containerEnv(Map<String, Object> container) {
        Map<String, String> env = new HashMap<>();
        for (Map<String, Object> variable : YamlFiles.maps(container.getOrDefault("env", List.of()), "env")) {
            env.put((String) variable.get("name"), variable.containsKey("value")
                    ? String.valueOf(variable.get("value")) : "from-a-secret");
        }
        return env;
    }

    private static PgmuxConfig config(String file) {
        return ConfigLoader.parse(mountedConfig(file), file + " ConfigMap pgmux.yaml", containerEnv(pgmuxContainer(file)));
    }

    private static int containerPort(Map<String, Object> container, Object port) {
        if (port instanceof Integer number) {
            return number;
        }
        return YamlFiles.maps(container.get("ports"), "ports").stream()
                .filter(p -> port.equals(p.get("name"))).map(p -> (Integer) p.get("containerPort"))
                .findFirst().orElseThrow(() -> new AssertionError("no container port named " + port));
    }

    @Test
    void sidecarHasSecretConfigMapAndDeployment() {
        assertEquals(List.of("Secret", "ConfigMap", "Deployment"),
                documents("sidecar.yaml").stream().map(d -> d.get("kind")).toList());
        assertEquals(List.of("app", "pgmux"), YamlFiles.mapsAt(only("sidecar.yaml", "Deployment"),
                "spec.template.spec.containers").stream().map(c -> c.get("name")).toList());
    }

    @Test
    void sharedServiceHasDeploymentServiceAndDisruptionBudget() {
        assertEquals(List.of("Secret", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget"),
                documents("shared-service.yaml").stream().map(d -> d.get("kind")).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar.yaml", "shared-service.yaml"})
    void theConfigMapPassesCheckConfigWithTheContainersEnvironment(String file) {
        PgmuxConfig config = config(file);
        assertFalse(config.users().isEmpty());
        assertTrue(config.metrics().enabled());
        assertEquals("0.0.0.0", config.metrics().host(), "the kubelet probes the pod IP, not loopback");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar.yaml", "shared-service.yaml"})
    void probesAskTheHealthEndpointsOnTheMetricsPort(String file) {
        Map<String, Object> container = pgmuxContainer(file);
        int metrics = config(file).metrics().port();
        Map<String, String> expected = Map.of("startupProbe", "/health/live", "readinessProbe", "/health/ready",
                "livenessProbe", "/health/live");
        expected.forEach((probe, path) -> {
            Map<String, Object> get = YamlFiles.mapAt(container, probe + ".httpGet");
            assertEquals(path, get.get("path"), file + " " + probe);
            assertEquals(metrics, containerPort(container, get.get("port")), file + " " + probe);
        });
        assertEquals(config(file).listen().port(), containerPort(container, "postgres"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar.yaml", "shared-service.yaml"})
    void everySecretKeyReferencedExists(String file) {
        Map<String, Object> secret = only(file, "Secret");
        List<Map<String, Object>> containers = YamlFiles.mapsAt(only(file, "Deployment"), "spec.template.spec.containers");
        List<String> references = new ArrayList<>();
        for (Map<String, Object> container : containers) {
            for (Map<String, Object> variable : YamlFiles.maps(container.getOrDefault("env", List.of()), "env")) {
                if (variable.containsKey("valueFrom")) {
                    Map<String, Object> ref = YamlFiles.mapAt(variable, "valueFrom.secretKeyRef");
                    assertEquals(YamlFiles.at(secret, "metadata.name"), ref.get("name"));
                    assertTrue(YamlFiles.mapAt(secret, "stringData").containsKey((String) ref.get("key")),
                            file + ": secret key " + ref.get("key"));
                    references.add((String) ref.get("key"));
                }
            }
        }
        assertFalse(references.isEmpty());
    }

    /** Until graceful shutdown lands, the value is a comment in the ConfigMap; the manifests are sized for it. */
    @ParameterizedTest
    @ValueSource(strings = {"sidecar.yaml", "shared-service.yaml"})
    void gracePeriodCoversPreStopAndShutdownTimeout(String file) {
        Matcher timeout = SHUTDOWN_TIMEOUT.matcher(mountedConfig(file));
        assertTrue(timeout.find(), file + ": shutdown_timeout in the ConfigMap");
        List<Object> preStop = YamlFiles.list(YamlFiles.at(pgmuxContainer(file), "lifecycle.preStop.exec.command"), "preStop");
        assertEquals("sleep", preStop.get(0));
        int sleep = Integer.parseInt((String) preStop.get(1));
        int grace = (Integer) YamlFiles.at(only(file, "Deployment"), "spec.template.spec.terminationGracePeriodSeconds");
        assertTrue(grace >= sleep + Integer.parseInt(timeout.group(1)),
                file + ": terminationGracePeriodSeconds " + grace + " < preStop " + sleep + " + shutdown_timeout "
                        + timeout.group(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar.yaml", "shared-service.yaml"})
    void runsUnprivilegedWithAReadOnlyRootAndAWritableTmp(String file) {
        Map<String, Object> pod = YamlFiles.mapAt(only(file, "Deployment"), "spec.template.spec");
        assertEquals(true, YamlFiles.at(pod, "securityContext.runAsNonRoot"));
        Map<String, Object> container = pgmuxContainer(file);
        assertTrue(((String) container.get("image")).startsWith("pgmux:"));
        assertEquals(true, YamlFiles.at(container, "securityContext.readOnlyRootFilesystem"));
        assertEquals(false, YamlFiles.at(container, "securityContext.allowPrivilegeEscalation"));
        Map<String, Object> tmp = YamlFiles.maps(container.get("volumeMounts"), "volumeMounts").stream()
                .filter(m -> "/tmp".equals(m.get("mountPath"))).findFirst().orElseThrow();
        assertTrue(YamlFiles.maps(pod.get("volumes"), "volumes").stream()
                .anyMatch(v -> tmp.get("name").equals(v.get("name")) && v.containsKey("emptyDir")));
        assertTrue(YamlFiles.mapAt(container, "resources.limits").containsKey("memory"),
                "the heap is a share of the memory limit");
    }

    @Test
    void sidecarListensOnLoopbackWhereTheAppConnects() {
        PgmuxConfig config = config("sidecar.yaml");
        assertEquals("127.0.0.1", config.listen().host());
        Map<String, Object> app = YamlFiles.mapsAt(only("sidecar.yaml", "Deployment"), "spec.template.spec.containers")
                .stream().filter(c -> "app".equals(c.get("name"))).findFirst().orElseThrow();
        String url = containerEnv(app).get("DATABASE_URL");
        // Kubernetes expands $(VAR) from earlier variables; the password comes from the same secret as pgmux's.
        assertTrue(url.contains("$(APP_DB_PASSWORD)"), url);
        DatabaseUrl parsed = DatabaseUrl.parse(url.replace("$(APP_DB_PASSWORD)", "pw"));
        assertEquals("127.0.0.1", parsed.host());
        assertEquals(config.listen().port(), parsed.port());
        assertTrue(config.database(parsed.dbname().orElseThrow()).isPresent());
        assertTrue(config.user(parsed.user().orElseThrow()).isPresent());
        assertEquals("${APP_DB_PASSWORD}", mountedConfig("sidecar.yaml").lines()
                .filter(line -> line.contains("password:")).map(line -> line.split("password:")[1].trim().split(" ")[0])
                .findFirst().orElseThrow());
    }

    @Test
    void theSidecarsCommentedFleetNamesEachPodByItsNameOnceUncommented(@TempDir Path dir) throws Exception {
        String text = Files.readString(K8S.resolve("sidecar.yaml"));
        Matcher commented = COMMENTED_FLEET.matcher(text);
        String uncommented = commented.replaceAll("$1$2");
        assertEquals(5, COMMENTED_FLEET.matcher(text).results().count(), "the fleet key and the four env lines");
        Path file = dir.resolve("sidecar.yaml");
        Files.writeString(file, uncommented);
        Map<String, Object> deployment = YamlFiles.documents(file).stream()
                .filter(d -> "Deployment".equals(d.get("kind"))).findFirst().orElseThrow();
        Map<String, Object> container = YamlFiles.mapsAt(deployment, "spec.template.spec.containers").stream()
                .filter(c -> "pgmux".equals(c.get("name"))).findFirst().orElseThrow();
        Map<String, Object> instanceId = YamlFiles.maps(container.get("env"), "env").stream()
                .filter(v -> "PGMUX_FLEET_INSTANCE_ID".equals(v.get("name"))).findFirst().orElseThrow();
        assertEquals("metadata.name", YamlFiles.at(instanceId, "valueFrom.fieldRef.fieldPath"),
                "the pod's name from the downward API");
        Map<String, Object> map = YamlFiles.documents(file).stream()
                .filter(d -> "ConfigMap".equals(d.get("kind"))).findFirst().orElseThrow();
        PgmuxConfig config = ConfigLoader.parse((String) YamlFiles.mapAt(map, "data").get("pgmux.yaml"),
                "sidecar.yaml with its fleet", Map.of("APP_DB_PASSWORD", "pw", "PGMUX_FLEET_INSTANCE_ID", "app-7f9c"));
        assertTrue(config.fleet().enabled());
        assertEquals("app", config.fleet().name());
        assertEquals("app-7f9c", config.fleet().instanceId().orElseThrow());
    }

    @Test
    void serviceAndDisruptionBudgetSelectThePgmuxPods() {
        Map<String, Object> deployment = only("shared-service.yaml", "Deployment");
        Map<String, Object> labels = YamlFiles.mapAt(deployment, "spec.template.metadata.labels");
        assertEquals(YamlFiles.mapAt(deployment, "spec.selector.matchLabels"), labels);
        Map<String, Object> service = only("shared-service.yaml", "Service");
        assertEquals(labels, YamlFiles.mapAt(service, "spec.selector"));
        assertEquals(labels, YamlFiles.mapAt(only("shared-service.yaml", "PodDisruptionBudget"), "spec.selector.matchLabels"));

        Map<String, Object> container = pgmuxContainer("shared-service.yaml");
        PgmuxConfig config = config("shared-service.yaml");
        assertEquals("0.0.0.0", config.listen().host(), "other pods connect through the Service");
        Map<String, Integer> ports = new HashMap<>();
        for (Map<String, Object> port : YamlFiles.mapsAt(service, "spec.ports")) {
            ports.put((String) port.get("name"), containerPort(container, port.get("targetPort")));
        }
        assertEquals(Map.of("postgres", config.listen().port(), "metrics", config.metrics().port()), ports);

        int replicas = (Integer) YamlFiles.at(deployment, "spec.replicas");
        assertTrue(replicas > (Integer) YamlFiles.at(only("shared-service.yaml", "PodDisruptionBudget"),
                "spec.minAvailable"), "a voluntary disruption may take one pod at a time");
        assertEquals(0, YamlFiles.at(deployment, "spec.strategy.rollingUpdate.maxUnavailable"));
    }
}
