package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped examples must keep loading, and must mean what their comments say. */
final class ExamplesTest {
    private static final Path EXAMPLES = Path.of("examples");

    private static PgmuxConfig example(String file, Map<String, String> env) throws IOException {
        return ConfigLoader.parse(Files.readString(EXAMPLES.resolve(file)), file, env);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pgmux.yaml", "minimal.yaml", "tenants.yaml"})
    void everyExampleLoadsFromDisk(String file) {
        PgmuxConfig config = ConfigLoader.load(EXAMPLES.resolve(file));
        assertFalse(config.databases().isEmpty());
        assertFalse(config.users().isEmpty());
    }

    @Test
    void mainExampleDescribesLocalAppDatabase() throws IOException {
        PgmuxConfig config = example("pgmux.yaml", Map.of());
        DatabaseConfig app = config.database("app").orElseThrow();
        assertEquals("127.0.0.1", app.host());
        assertEquals(5432, app.port());
        assertEquals(20, app.maxConnections());
        assertEquals(List.of("api", "admin"), List.copyOf(config.users().keySet()));
        assertEquals(Optional.of("api"), config.user("api").orElseThrow().password());
        assertEquals("web", config.tenantOf("api").orElseThrow().name());
        assertEquals("other", config.tenantOf("admin").orElseThrow().name());
        assertEquals(List.of("admin"), config.admin().users());
        assertEquals(PoolMode.SESSION, config.poolModeFor("app", "admin"));
        assertEquals(PoolMode.TRANSACTION, config.poolModeFor("app", "api"));
    }

    @Test
    void mainExampleTakesPasswordsFromEnvironment() throws IOException {
        PgmuxConfig config = example("pgmux.yaml", Map.of("PGMUX_API_PASSWORD", "s3cret"));
        assertEquals(Optional.of("s3cret"), config.user("api").orElseThrow().password());
        assertEquals(Optional.of("admin"), config.user("admin").orElseThrow().password());
    }

    @Test
    void mainExampleKeepsTheSecurityDefaults() throws IOException {
        PgmuxConfig config = example("pgmux.yaml", Map.of());
        assertEquals(AuthType.SCRAM_SHA_256, config.authTypeFor("app", "api"));
        assertEquals(ClientTlsConfig.disabled(), config.clientTls());
        assertEquals(ServerTlsConfig.defaults(), config.serverTls());
        assertEquals(Optional.empty(), config.hba());
        assertEquals(Optional.empty(), config.authQuery());
    }

    @Test
    void exampleRulesFileLoads() {
        PgmuxConfig config = ConfigLoader.parse("databases: {app: {}}\nhba_file: pg_hba.conf\n", "test.yaml",
                Map.of(), EXAMPLES);
        AccessRules rules = config.hba().orElseThrow();
        assertEquals(4, rules.rules().size());
        assertEquals(AuthType.REJECT, rules.rules().get(3).method());
    }

    @Test
    void commentedOutDefaultsInTheMainExampleAreTheRealDefaults() throws IOException {
        // Uncomment the lines that only restate a default: the result must equal the example as shipped.
        String text = Files.readString(EXAMPLES.resolve("pgmux.yaml"));
        String uncommented = text
                .replace("# allow_password_without_tls: false", "allow_password_without_tls: false")
                .replace("# client_tls_sslmode: disable", "client_tls_sslmode: disable")
                .replace("# client_tls_protocols: secure", "client_tls_protocols: secure")
                .replace("# client_tls_ciphers: default", "client_tls_ciphers: default")
                .replace("# server_tls_sslmode: prefer", "server_tls_sslmode: prefer")
                .replace("# server_tls_sni: true", "server_tls_sni: true")
                .replace("# server_tls_protocols: secure", "server_tls_protocols: secure")
                .replace("# server_tls_ciphers: default", "server_tls_ciphers: default");
        assertEquals(ConfigLoader.parse(text, "pgmux.yaml", Map.of()),
                ConfigLoader.parse(uncommented, "pgmux.yaml", Map.of()));
        String query = text.lines().filter(line -> line.startsWith("# auth_query: ")).findFirst().orElseThrow()
                .substring("# auth_query: ".length());
        assertEquals(AuthQueryConfig.DEFAULT_QUERY, query);
        assertTrue(text.contains("# auth_query_cache_ttl: " + AuthQueryConfig.DEFAULT_CACHE_TTL.toSeconds() + "s"));
    }

    @Test
    void minimalExampleHasOneDatabaseAndOneUser() throws IOException {
        PgmuxConfig config = example("minimal.yaml", Map.of());
        assertEquals(1, config.databases().size());
        assertEquals(1, config.users().size());
        assertEquals(Optional.of("app"), config.user("app").orElseThrow().password());
    }

    @Test
    void tenantsExampleSplitsTheDatabaseExactly() throws IOException {
        PgmuxConfig config = example("tenants.yaml", Map.of());
        assertEquals(List.of("web", "gui", "workers", "scripts"), List.copyOf(config.tenants().keySet()));
        int budget = config.tenants().values().stream().mapToInt(TenantConfig::maxServerConnections).sum();
        assertEquals(config.database("app").orElseThrow().maxConnections(), budget);
        assertEquals(25, budget);
        assertEquals(config.maxServerConnections(), budget);
        assertEquals("scripts", config.tenantOf("analyst").orElseThrow().name());
        assertEquals("workers", config.tenantOf("jobs").orElseThrow().name());
        assertEquals(Optional.of(Duration.ofMinutes(5)), config.tenants().get("workers").queryWaitTimeout());
    }

    @Test
    void briefExampleNeedsAdminListedAsUser() {
        String yaml = """
                listen: {host: 127.0.0.1, port: 6432}
                pool_mode: transaction
                databases:
                  app:
                    host: 127.0.0.1
                    port: 5432
                    dbname: app
                    max_connections: 20
                users:
                  - name: api
                    password: ${API_DB_PASSWORD}
                    tenant: web
                tenants:
                  web: {pool_size: 10}
                admin: {users: [admin]}
                metrics: {host: 127.0.0.1, port: 9930}
                """;
        Map<String, String> env = Map.of("API_DB_PASSWORD", "pw");
        ConfigProblem problem = TestConfigs.onlyProblem(TestConfigs.problems(yaml, env));
        assertEquals("pgmux.yaml:15: admin.users[0]: user \"admin\" is not defined in users (defined: api)",
                problem.toString());

        PgmuxConfig config = TestConfigs.parse(yaml.replace("tenants:", "  - name: admin\ntenants:"), env);
        assertEquals(List.of("admin"), config.admin().users());
        assertEquals(Optional.of("pw"), config.user("api").orElseThrow().password());
        assertEquals(10, config.tenantOf("api").orElseThrow().poolSize());
        assertEquals(9930, config.metrics().port());
        assertFalse(config.metrics().pgbouncerCompat());
    }

    @Test
    void issueThreeBudgetKeysLoad() {
        PgmuxConfig config = TestConfigs.parse("""
                max_server_connections: 40
                max_client_connections: 10000
                default_tenant: scripts
                databases: {app: {}}
                tenants: {web: {pool_size: 8, min_pool_size: 2, reserve_pool_size: 2, reserve_pool_timeout: 3s, \
                max_server_connections: 10, max_client_connections: 2000, query_wait_timeout: 10s, weight: 3}, \
                scripts: {pool_size: 2, max_server_connections: 2}}
                """);
        assertEquals(new TenantConfig("web", 8, 2, 2, Duration.ofSeconds(3), 10, 2000,
                Optional.of(Duration.ofSeconds(10)), 3), config.tenants().get("web"));
        assertEquals(new TenantConfig("scripts", 2, 0, 0, Duration.ofSeconds(5), 2, 0, Optional.empty(), 1),
                config.tenants().get("scripts"));
        assertEquals(40, config.maxServerConnections());
        assertEquals(10000, config.maxClientConnections());
        assertEquals(Optional.of("scripts"), config.defaultTenant());
    }
}
