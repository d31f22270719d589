package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.cli.env.EnvironmentConfig;
import io.pgmux.config.ConfigException;
import io.pgmux.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every pgmux configuration anywhere under docker/ passes the loader's validation (what check-config runs):
 * YAML files with a top-level {@code databases}, the {@code pgmux.yaml} of every ConfigMap, and the PGMUX_*
 * environment of every compose service. Found by walking the folder, so a new file is checked without a new test.
 * ${VAR} references get stand-in values; whether the containers really set them is KubernetesTest's job.
 */
final class DeploymentConfigsTest {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?}");

    private record Found(String where, Runnable check) {
    }

    @Test
    void everyPgmuxConfigurationUnderDockerPassesCheckConfig() throws IOException {
        List<Found> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Repository.DOCKER)) {
            for (Path file : files.filter(f -> f.toString().matches(".*\\.ya?ml"))
                    .filter(f -> !Repository.relative(f).matches("docker/(target|src)/.*")).toList()) {
                for (Map<String, Object> document : YamlFiles.documents(file)) {
                    collect(Repository.relative(file), document, found);
                }
            }
        }
        List<String> failures = new ArrayList<>();
        for (Found each : found) {
            try {
                each.check().run();
            } catch (ConfigException | io.pgmux.cli.env.EnvConfigException e) {
                failures.add(each.where() + ":\n" + e.getMessage());
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(List.of("docker/compose.yaml service pgmux", "docker/k8s/shared-service.yaml ConfigMap pgmux",
                        "docker/k8s/sidecar.yaml ConfigMap app-pgmux"),
                found.stream().map(Found::where).sorted().toList(), "what was checked");
    }

    private static void collect(String file, Map<String, Object> document, List<Found> found) {
        if (document.containsKey("databases")) {
            String text = Repository.read(Repository.ROOT.resolve(file));
            found.add(new Found(file, () -> ConfigLoader.parse(text, file, standIns(text))));
        }
        if ("ConfigMap".equals(document.get("kind")) && document.get("data") instanceof Map<?, ?> data) {
            data.forEach((key, value) -> {
                if (String.valueOf(key).endsWith(".yaml") && String.valueOf(value).contains("databases:")) {
                    String where = file + " ConfigMap " + YamlFiles.at(document, "metadata.name");
                    String text = String.valueOf(value);
                    found.add(new Found(where, () -> ConfigLoader.parse(text, where, standIns(text))));
                }
            });
        }
        if (document.get("services") instanceof Map<?, ?> services) {
            Map<String, String> imageEnv = Dockerfile.read(Repository.DOCKER.resolve("Dockerfile")).env();
            services.forEach((name, service) -> {
                if (service instanceof Map<?, ?> definition && definition.get("environment") instanceof Map<?, ?> vars
                        && vars.containsKey("PGMUX_DATABASE_URL")) {
                    Map<String, String> env = new HashMap<>(imageEnv);
                    vars.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
                    String where = file + " service " + name;
                    found.add(new Found(where,
                            () -> ConfigLoader.parse(EnvironmentConfig.from(env).yaml(), where, Map.of())));
                }
            });
        }
    }

    private static Map<String, String> standIns(String text) {
        Map<String, String> env = new HashMap<>();
        Matcher reference = REFERENCE.matcher(text);
        while (reference.find()) {
            env.put(reference.group(1), "stand-in");
        }
        assertTrue(env.size() < 50);
        return env;
    }
}
