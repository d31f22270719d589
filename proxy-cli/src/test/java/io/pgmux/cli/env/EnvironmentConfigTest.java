package io.pgmux.cli.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.AuthType;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.FleetConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.PoolMode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The generated file is loaded back with the real configuration loader: what check-config and run will see. */
final class EnvironmentConfigTest {

    private static PgmuxConfig load(EnvironmentConfig generated) {
        return ConfigLoader.parse(generated.yaml(), "generated.yaml", Map.of());
    }

    private static EnvConfigException refused(Map<String, String> env) {
        return assertThrows(EnvConfigException.class, () -> EnvironmentConfig.from(env));
    }

    private static void assertOneProblem(EnvConfigException e, String start, String fragment) {
        assertEquals(1, e.problems().size(), e::getMessage);
        assertTrue(e.problems().get(0).startsWith(start), e::getMessage);
        assertTrue(e.problems().get(0).contains(fragment), e::getMessage);
    }

    private static String encoded(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void urlAloneGivesOneDatabaseAndItsUserAsTheClientLogin() {
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of(
                "PGMUX_DATABASE_URL", "postgres://app:s3cret@db.internal:6543/orders?sslmode=disable")));
        DatabaseConfig orders = config.database("orders").orElseThrow();
        assertEquals(List.of("orders", "db.internal", 6543, "orders", 0, Optional.empty(), Optional.of("app"),
                Optional.of("s3cret"), Optional.empty(), Optional.empty(), Optional.empty()),
                List.of(orders.name(), orders.host(), orders.port(), orders.dbname(), orders.maxConnections(),
                        orders.poolMode(), orders.user(), orders.password(), orders.pinning(), orders.authType(),
                        orders.authQuery()));
        assertEquals(List.of("app"), List.copyOf(config.users().keySet()));
        assertEquals(Optional.of("s3cret"), config.user("app").orElseThrow().password());
        // Everything not set keeps the configuration's defaults.
        assertEquals("127.0.0.1", config.listen().host());
        assertEquals(6432, config.listen().port());
        assertEquals(PoolMode.TRANSACTION, config.poolMode());
        assertEquals(AuthType.SCRAM_SHA_256, config.authType());
        assertEquals(5, config.defaultPoolSize());
    }

    @Test
    void everySettingVariableReachesItsKey() {
        Map<String, String> env = new HashMap<>();
        env.put("PGMUX_DATABASE_URL", "postgresql://owner:pw@10.0.0.5/appdb");
        env.put("PGMUX_DATABASE_NAME", "app");
        env.put("PGMUX_USERS", "web:w,jobs:j");
        env.put("PGMUX_POOL_SIZE", "12");
        env.put("PGMUX_POOL_MODE", "session");
        env.put("PGMUX_AUTH_TYPE", "md5");
        env.put("PGMUX_MAX_CLIENT_CONNECTIONS", "500");
        env.put("PGMUX_MAX_DB_CONNECTIONS", "20");
        env.put("PGMUX_LISTEN_HOST", "0.0.0.0");
        env.put("PGMUX_LISTEN_PORT", "7432");
        env.put("PGMUX_METRICS_HOST", "0.0.0.0");
        env.put("PGMUX_METRICS_PORT", "9931");
        PgmuxConfig config = load(EnvironmentConfig.from(env));

        DatabaseConfig app = config.database("app").orElseThrow();
        assertEquals("appdb", app.dbname());
        assertEquals(20, app.maxConnections());
        assertEquals(Optional.of("owner"), app.user(), "server connections log in as the URL's user");
        assertEquals(List.of("web", "jobs"), List.copyOf(config.users().keySet()));
        assertEquals(12, config.defaultPoolSize());
        assertEquals(PoolMode.SESSION, config.poolMode());
        assertEquals(AuthType.MD5, config.authType());
        assertEquals(500, config.maxClientConnections());
        assertEquals("0.0.0.0", config.listen().host());
        assertEquals(7432, config.listen().port());
        assertEquals("0.0.0.0", config.metrics().host());
        assertEquals(9931, config.metrics().port());
        assertTrue(config.metrics().enabled());
    }

    @Test
    void adminAndStatsUsersOpenTheConsoleToTheirLogins() {
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app",
                "PGMUX_USERS", "app:pw,ops:secret,grafana:g", "PGMUX_ADMIN_USERS", "ops, app",
                "PGMUX_STATS_USERS", "grafana")));
        assertEquals(java.util.List.of("ops", "app"), config.admin().users());
        assertEquals(java.util.List.of("grafana"), config.admin().statsUsers());
        assertEquals(java.util.List.of(), load(EnvironmentConfig.from(Map.of("PGMUX_DATABASE_URL",
                "postgres://app:pw@db/app"))).admin().users(), "no console users unless named");
    }

    @Test
    void withoutAFleetNameTheBudgetsAreThisInstancesAlone() {
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app")));
        assertEquals(FleetConfig.disabled(), config.fleet());
    }

    @Test
    void theFleetNameEnablesTheFleetAndEveryFleetVariableReachesItsKey() {
        Map<String, String> env = new HashMap<>();
        env.put("PGMUX_DATABASE_URL", "postgres://app:pw@db/app");
        env.put("PGMUX_FLEET_NAME", "api");
        env.put("PGMUX_FLEET_INSTANCE_ID", "api-7f9c-2");
        env.put("PGMUX_FLEET_MIN_LEASES", "2");
        env.put("PGMUX_FLEET_LEASE_IDLE_TIMEOUT", "5s");
        env.put("PGMUX_FLEET_REBALANCE_INTERVAL", "250ms");
        env.put("PGMUX_FLEET_LEASE_RECLAIM_TIMEOUT", "1500ms");
        EnvironmentConfig generated = EnvironmentConfig.from(env);
        assertEquals(new FleetConfig(true, "api", Optional.of("api-7f9c-2"), 2, Duration.ofSeconds(5),
                Duration.ofMillis(250), Duration.ofMillis(1500)), load(generated).fleet(), generated::yaml);
        assertTrue(generated.summary().endsWith(", fleet \"api\""), generated.summary());
    }

    @Test
    void theFleetNameAloneKeepsTheFleetDefaults() {
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app",
                "PGMUX_FLEET_NAME", "api", "PGMUX_FLEET_MIN_LEASES", "")));
        assertEquals(new FleetConfig(true, "api", Optional.empty(), FleetConfig.DEFAULT_MIN_LEASES,
                FleetConfig.DEFAULT_LEASE_IDLE_TIMEOUT, FleetConfig.DEFAULT_REBALANCE_INTERVAL,
                FleetConfig.DEFAULT_LEASE_RECLAIM_TIMEOUT), config.fleet());
    }

    @Test
    void aNumericFleetNameAndInstanceIdStayText() {
        // A StatefulSet's ordinal or a numeric deployment id must not turn into a number the loader refuses.
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app",
                "PGMUX_FLEET_NAME", "0042", "PGMUX_FLEET_INSTANCE_ID", "7")));
        assertEquals("0042", config.fleet().name());
        assertEquals(Optional.of("7"), config.fleet().instanceId());
    }

    @Test
    void fleetSettingsWithoutAFleetNameAreRefused() {
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app",
                "PGMUX_FLEET_MIN_LEASES", "2", "PGMUX_FLEET_INSTANCE_ID", "pod-1")),
                "PGMUX_FLEET_INSTANCE_ID, PGMUX_FLEET_MIN_LEASES are set but PGMUX_FLEET_NAME is not",
                "set it to the fleet's name");
    }

    @Test
    void badFleetValuesAreBlamedOnTheirVariables() {
        Map<String, String> env = new HashMap<>();
        env.put("PGMUX_DATABASE_URL", "postgres://app:pw@db/app");
        env.put("PGMUX_FLEET_NAME", "api");
        env.put("PGMUX_FLEET_MIN_LEASES", "-1");
        env.put("PGMUX_FLEET_LEASE_IDLE_TIMEOUT", "soon");
        env.put("PGMUX_FLEET_REBALANCE_INTERVAL", "5ms");
        env.put("PGMUX_FLEET_LEASE_RECLAIM_TIMEOUT", "later");
        EnvConfigException e = refused(env);
        assertEquals(4, e.problems().size(), e::getMessage);
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("PGMUX_FLEET_LEASE_RECLAIM_TIMEOUT: ")),
                e::getMessage);
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("PGMUX_FLEET_MIN_LEASES: ")), e::getMessage);
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("PGMUX_FLEET_LEASE_IDLE_TIMEOUT: ")),
                e::getMessage);
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("PGMUX_FLEET_REBALANCE_INTERVAL: ")
                && p.contains("at least 10ms")), e::getMessage);
    }

    @Test
    void withoutCredentialsInTheUrlEachClientLogsInToTheServerAsItself() {
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of(
                "PGMUX_DATABASE_URL", "postgres://db/app", "PGMUX_USERS", "web:w")));
        assertEquals(Optional.empty(), config.database("app").orElseThrow().user());
        assertEquals(Optional.of("w"), config.user("web").orElseThrow().password());
    }

    @Test
    void usersFileIsRead(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("users");
        Files.writeString(file, "web:a,b\njobs:c\n");
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of(
                "PGMUX_DATABASE_URL", "postgres://db/app", "PGMUX_USERS_FILE", file.toString())));
        assertEquals(Optional.of("a,b"), config.user("web").orElseThrow().password());
        assertEquals(Optional.of("c"), config.user("jobs").orElseThrow().password());
    }

    @Test
    void emptyVariablesCountAsUnset() {
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app",
                "PGMUX_USERS", "", "PGMUX_POOL_SIZE", "", "PGMUX_LISTEN_HOST", "")));
        assertEquals(List.of("app"), List.copyOf(config.users().keySet()));
        assertEquals(5, config.defaultPoolSize());
        assertEquals("127.0.0.1", config.listen().host());
    }

    static Stream<String> awkwardPasswords() {
        return Stream.of("it's \"quoted\"", "# not a comment", "${HOME}", "${NOT_SET}", "$$", "a$", "$", "- dash",
                "yes", "no", "null", "~", "123", "0x1F", "1e3", " leading", "trailing ", "tab\there", "ünïcødé ✓",
                "{flow: map}", "[list]", "*alias", "&anchor", "!tag", "%percent", "@at", "`backtick`", "|", ">",
                "? question", "key: value", "back\\slash", "line1\nline2", "bell\u0007", "x".repeat(300));
    }

    @Test
    void aDamagedVerifierIsAServerPasswordButNoClientPassword() {
        String damaged = "SCRAM-SHA-256$4096:c2FsdA==$a:b";
        // Sent to the server as it is: a password there is never read as a verifier.
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of(
                "PGMUX_DATABASE_URL", "postgres://app:" + encoded(damaged) + "@db/app", "PGMUX_USERS", "web:w")));
        assertEquals(Optional.of(damaged), config.database("app").orElseThrow().password());
        // A client's password that starts like a verifier but is not one was almost surely damaged in copying.
        EnvConfigException e = refused(Map.of("PGMUX_DATABASE_URL", "postgres://db/app", "PGMUX_USERS", "web:" + damaged));
        assertOneProblem(e, "PGMUX_USERS", "malformed SCRAM-SHA-256 verifier");
        assertFalse(e.getMessage().contains("c2FsdA"), e::getMessage);
    }

    @ParameterizedTest
    @MethodSource("awkwardPasswords")
    void everyPasswordSurvivesTheFileIntact(String password) {
        Map<String, String> env = Map.of("PGMUX_DATABASE_URL", "postgres://app:" + encoded(password) + "@db/app",
                "PGMUX_USERS", "web:" + password);
        if (password.contains(",")) {
            throw new IllegalStateException("a comma would split PGMUX_USERS");
        }
        EnvironmentConfig generated = EnvironmentConfig.from(env);
        PgmuxConfig config = load(generated);
        assertEquals(Optional.of(password), config.database("app").orElseThrow().password(), generated::yaml);
        assertEquals(Optional.of(password), config.user("web").orElseThrow().password(), generated::yaml);
    }

    @Test
    void namesWithDollarsAreKeptToo() {
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of(
                "PGMUX_DATABASE_URL", "postgres://own$er:pw@db/d$b", "PGMUX_USERS", "we${b}:pw")));
        DatabaseConfig database = config.database("d$b").orElseThrow();
        assertEquals("d$b", database.dbname());
        assertEquals(Optional.of("own$er"), database.user());
        assertEquals(List.of("we${b}"), List.copyOf(config.users().keySet()));
    }

    @Test
    void summaryShowsWhereAndWhoButNoPassword() {
        EnvironmentConfig generated = EnvironmentConfig.from(Map.of(
                "PGMUX_DATABASE_URL", "postgres://app:Url-Secret@db:5433/orders", "PGMUX_USERS", "web:User-Secret",
                "PGMUX_LISTEN_HOST", "0.0.0.0"));
        assertEquals("database \"orders\" -> db:5433/orders as \"app\" (sslmode prefer); client logins:"
                + " web; listening on 0.0.0.0:6432, pool_mode transaction, default_pool_size 5, metrics on"
                + " 127.0.0.1:9930", generated.summary());
    }

    @Test
    void noUrlIsTheOneProblemReported() {
        assertOneProblem(refused(Map.of("PGMUX_POOL_SIZE", "3")), "PGMUX_DATABASE_URL is not set", "mount");
    }

    @Test
    void urlProblemsNameTheVariable() {
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db:70000/app")),
                "PGMUX_DATABASE_URL has a port", "1 to 65535");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"disable", "allow", "prefer", "require", "verify-full"})
    void theUrlsSslmodeBecomesTheDatabasesServerTlsSslmode(String mode) {
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of("PGMUX_DATABASE_URL",
                "postgres://app:pw@db/app?sslmode=" + mode)));
        assertEquals(mode, config.database("app").orElseThrow().serverTls().sslmode().configName());
    }

    @Test
    void withoutSslmodeTheDatabaseGetsLibpqsDefaultPrefer() {
        PgmuxConfig config = load(EnvironmentConfig.from(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app")));
        assertEquals("prefer", config.database("app").orElseThrow().serverTls().sslmode().configName());
    }

    @Test
    void verifyCaTakesItsCasFromSslrootcert(@TempDir Path dir) throws Exception {
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app?sslmode=verify-ca")),
                "PGMUX_DATABASE_URL asks for sslmode=verify-ca", "sslrootcert=");
        Path ca = dir.resolve("ca.pem");
        // The loader checks the framing; the certificate itself is read when pgmux connects.
        Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        EnvironmentConfig generated = EnvironmentConfig.from(Map.of("PGMUX_DATABASE_URL",
                "postgres://app:pw@db/app?sslmode=verify-ca&sslrootcert=" + ca));
        PgmuxConfig config = load(generated);
        assertEquals("verify-ca", config.database("app").orElseThrow().serverTls().sslmode().configName());
        assertEquals(Optional.of(ca), config.database("app").orElseThrow().serverTls().caFile());
        assertTrue(generated.summary().contains("(sslmode verify-ca, CAs in " + ca + ")"), generated.summary());
    }

    @Test
    void listAndFileTogetherAreRefused() {
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app", "PGMUX_USERS", "a:b",
                "PGMUX_USERS_FILE", "/run/secrets/users")), "set PGMUX_USERS or PGMUX_USERS_FILE", "not both");
    }

    @Test
    void missingUsersFileSaysSo() {
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app",
                "PGMUX_USERS_FILE", "/nonexistent/users")), "PGMUX_USERS_FILE: cannot read /nonexistent/users",
                "no such file");
    }

    @Test
    void badUserListNamesTheVariable() {
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app", "PGMUX_USERS", "a:b,c")),
                "PGMUX_USERS: entry 2", "has no \":\"");
    }

    @Test
    void urlWithoutUserOrUsersLeavesNobodyToLogIn() {
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://db/app")),
                "PGMUX_DATABASE_URL names no user", "nobody clients could log in as");
    }

    @Test
    void urlWithoutDatabaseOrUserNeedsADatabaseName() {
        EnvConfigException e = refused(Map.of("PGMUX_DATABASE_URL", "postgres://db", "PGMUX_USERS", "a:b"));
        assertOneProblem(e, "PGMUX_DATABASE_URL names neither a database nor a user", "PGMUX_DATABASE_NAME");
    }

    @Test
    void loaderProblemsAreBlamedOnTheirVariables() {
        Map<String, String> env = new HashMap<>();
        env.put("PGMUX_DATABASE_URL", "postgres://app:pw@db/app");
        env.put("PGMUX_POOL_SIZE", "0");
        env.put("PGMUX_POOL_MODE", "statement");
        env.put("PGMUX_LISTEN_PORT", "http");
        env.put("PGMUX_MAX_DB_CONNECTIONS", "-1");
        EnvConfigException e = refused(env);
        assertEquals(List.of(
                "PGMUX_LISTEN_PORT: expected an integer from 1 to 65535, got \"http\"",
                "PGMUX_POOL_MODE: expected session or transaction, got \"statement\"",
                "PGMUX_POOL_SIZE: expected a positive integer, got \"0\"",
                "PGMUX_MAX_DB_CONNECTIONS: expected a non-negative integer, got \"-1\""), e.problems());
    }

    @Test
    void theReservedDatabaseNameIsBlamedOnWhereItCameFrom() {
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/pgmux")),
                "PGMUX_DATABASE_URL: ", "reserved for the admin console");
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app",
                "PGMUX_DATABASE_NAME", "pgmux")), "PGMUX_DATABASE_NAME: ", "reserved for the admin console");
    }

    @Test
    void clientLoginsNeedPasswordsUnlessTrusted() {
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://app@db/app")),
                "PGMUX_DATABASE_URL has no password", "PGMUX_AUTH_TYPE=trust");
        assertOneProblem(refused(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app",
                "PGMUX_USERS", "web:,jobs:j")), "users without a password", ": web;");
        PgmuxConfig trusted = load(EnvironmentConfig.from(Map.of("PGMUX_DATABASE_URL", "postgres://app@db/app",
                "PGMUX_AUTH_TYPE", "trust")));
        assertEquals(Optional.empty(), trusted.user("app").orElseThrow().password());
    }

    @Test
    void noProblemShowsAPassword() {
        List<Map<String, String>> envs = List.of(
                Map.of("PGMUX_DATABASE_URL", "postgres://app:Secret1@db/app", "PGMUX_POOL_SIZE", "x"),
                Map.of("PGMUX_DATABASE_URL", "postgres://app:Secret1@db/app?sslmode=verify-ca", "PGMUX_USERS",
                        "web:Secret2"),
                Map.of("PGMUX_DATABASE_URL", "postgres://app:Secret1@db/pgmux", "PGMUX_USERS", "web:Secret2,x"),
                Map.of("PGMUX_DATABASE_URL", "postgres://app:Secr/et1@db/app"));
        for (Map<String, String> env : envs) {
            EnvConfigException e = refused(env);
            assertFalse(e.getMessage().contains("Secr"), e::getMessage);
        }
    }
}
