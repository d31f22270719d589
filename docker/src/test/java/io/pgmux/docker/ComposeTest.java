package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.cli.env.DatabaseUrl;
import io.pgmux.cli.env.EnvironmentConfig;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker/compose.yaml and docker/prometheus.yml fit together and make the point they are there to make. */
final class ComposeTest {
    /** PostgreSQL's default superuser_reserved_connections: slots ordinary roles cannot have. */
    private static final int SUPERUSER_RESERVED = 3;

    private static final Map<String, Object> COMPOSE = YamlFiles.document(Repository.DOCKER.resolve("compose.yaml"));

    private static Map<String, Object> service(String name) {
        return YamlFiles.mapAt(COMPOSE, "services." + name);
    }

    private static Map<String, String> environment(String service) {
        Map<String, String> env = new HashMap<>();
        YamlFiles.mapAt(service(service), "environment").forEach((key, value) -> env.put(key, String.valueOf(value)));
        return env;
    }

    /** The configuration the pgmux container writes at start: the image's ENV, then the service's. */
    static PgmuxConfig pgmuxConfig() {
        Map<String, String> env = new HashMap<>(Dockerfile.read(Repository.DOCKER.resolve("Dockerfile")).env());
        env.putAll(environment("pgmux"));
        return ConfigLoader.parse(EnvironmentConfig.from(env).yaml(), "compose.yaml pgmux", Map.of());
    }

    @Test
    void hasTheDatabasePgmuxTheAppPrometheusAndGrafana() {
        assertEquals(List.of("postgres", "pgmux", "app", "prometheus", "grafana"),
                List.copyOf(YamlFiles.mapAt(COMPOSE, "services").keySet()));
    }

    @Test
    void pgmuxIsBuiltFromTheDockerfileWithTheRepositoryAsContext() {
        Map<String, Object> build = YamlFiles.mapAt(service("pgmux"), "build");
        Path context = Repository.DOCKER.resolve((String) build.get("context")).normalize();
        assertEquals(Repository.ROOT, context);
        assertTrue(Files.isRegularFile(context.resolve((String) build.get("dockerfile"))));
    }

    @Test
    void pgmuxPublishesItsListenAndMetricsPorts() {
        PgmuxConfig config = pgmuxConfig();
        assertEquals("0.0.0.0", config.listen().host());
        assertEquals("0.0.0.0", config.metrics().host());
        assertEquals(List.of(config.listen().port() + ":" + config.listen().port(),
                        config.metrics().port() + ":" + config.metrics().port()),
                YamlFiles.list(service("pgmux").get("ports"), "ports"));
    }

    @Test
    void theAppReachesPgmuxWithALoginPgmuxKnows() {
        DatabaseUrl url = DatabaseUrl.parse(environment("app").get("DATABASE_URL"));
        PgmuxConfig config = pgmuxConfig();
        assertEquals("pgmux", url.host());
        assertEquals(config.listen().port(), url.port());
        String database = url.dbname().orElseThrow();
        assertTrue(config.database(database).isPresent(), database);
        assertEquals(url.password(), config.user(url.user().orElseThrow()).orElseThrow().password());
    }

    @Test
    void pgmuxReachesTheDatabaseAsItsOwner() {
        Map<String, String> postgres = environment("postgres");
        DatabaseConfig database = pgmuxConfig().databases().values().iterator().next();
        assertEquals("postgres", database.host());
        assertEquals(5432, database.port());
        assertEquals(postgres.get("POSTGRES_DB"), database.dbname());
        assertEquals(postgres.get("POSTGRES_USER"), database.user().orElseThrow());
        assertEquals(postgres.get("POSTGRES_PASSWORD"), database.password().orElseThrow());
    }

    /** The demo's point: more clients than the database has slots, and pgmux's budget within them. */
    @Test
    void theAppWantsMoreConnectionsThanTheDatabaseHasAndPgmuxFits() {
        List<Object> command = YamlFiles.list(service("postgres").get("command"), "command");
        int maxConnections = Integer.parseInt(((String) command.get(command.indexOf("-c") + 1)).split("=")[1]);
        int slots = maxConnections - SUPERUSER_RESERVED;

        String script = String.valueOf(YamlFiles.list(service("app").get("command"), "command").get(0));
        Matcher clients = Pattern.compile("pgbench -c (\\d+) ").matcher(script);
        assertTrue(clients.find(), script);
        assertTrue(Integer.parseInt(clients.group(1)) > slots, "the app alone would exhaust the database");

        PgmuxConfig config = pgmuxConfig();
        int budget = config.databases().values().iterator().next().maxConnections();
        assertTrue(budget > 0 && budget <= slots, "pgmux's cap " + budget + " fits " + slots + " slots");
        assertTrue(config.defaultPoolSize() <= budget);
        assertTrue(config.maxClientConnections() >= Integer.parseInt(clients.group(1)));
    }

    @Test
    void prometheusScrapesPgmuxMetricsPort() {
        List<Object> volumes = YamlFiles.list(service("prometheus").get("volumes"), "volumes");
        String[] mount = String.valueOf(volumes.get(0)).split(":");
        assertEquals("/etc/prometheus/prometheus.yml", mount[1]);
        Map<String, Object> prometheus = YamlFiles.document(Repository.DOCKER.resolve(mount[0]).normalize());
        Map<String, Object> job = YamlFiles.mapsAt(prometheus, "scrape_configs").get(0);
        assertEquals("pgmux", job.get("job_name"));
        assertTrue(!job.containsKey("metrics_path") || "/metrics".equals(job.get("metrics_path")));
        List<Object> targets = YamlFiles.list(YamlFiles.maps(job.get("static_configs"), "static_configs").get(0)
                .get("targets"), "targets");
        assertEquals(List.of("pgmux:" + pgmuxConfig().metrics().port()), targets);
    }

    /** Prometheus and Grafana read their files from docker/, read-only, and every mounted file is there. */
    @Test
    void prometheusAndGrafanaMountTheirFilesReadOnly() {
        for (String name : List.of("prometheus", "grafana")) {
            List<ComposeMounts.Mount> mounts = ComposeMounts.of(service(name));
            assertTrue(!mounts.isEmpty(), name);
            for (ComposeMounts.Mount mount : mounts) {
                assertTrue(mount.readOnly(), name + " " + mount);
                assertTrue(mount.source().startsWith(Repository.DOCKER) && Files.exists(mount.source()),
                        name + " " + mount);
            }
        }
        assertTrue(String.valueOf(service("grafana").get("image")).matches("grafana/grafana:\\d+\\.\\d+\\.\\d+"),
                "a pinned Grafana release");
        assertEquals(List.of("3000:3000"), YamlFiles.list(service("grafana").get("ports"), "ports"));
    }
}
