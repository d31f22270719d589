package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.StartupResult;
import io.pgmux.testing.TestRole;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Both halves of authentication: clients proving themselves to pgmux with each auth_type, and pgmux logging in to
 * PostgreSQL with whatever method pg_hba.conf asks of the role (SCRAM, MD5, cleartext).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthIT {
    private final PostgresCluster cluster;

    AuthIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @ParameterizedTest
    @EnumSource(TestRole.class)
    void pgmuxLogsInUpstreamWithTheMethodTheRoleRequires(TestRole role) throws Exception {
        ProxyFixture.Config config = ProxyFixture.config(cluster).database("postgres")
                .user(role.user(), role.password(), ProxyFixture.DEFAULT_TENANT);
        try (ProxyFixture proxy = config.start();
             Connection c = proxy.connect(role.user(), role.password(), "postgres")) {
            assertEquals(role.user(), Sql.one(c, "select current_user"));
        }
    }

    @Test
    void aRoleTheDatabaseDoesNotHaveIsReportedAsTheDatabaseRefusingPgmuxsLoginNotTheClients() throws Exception {
        // pgmux knows "mon" and its password; PostgreSQL has no such role and says only that the password failed.
        try (ProxyFixture proxy = ProxyFixture.config(cluster).user("mon", "mon_pw", ProxyFixture.DEFAULT_TENANT)
                .start()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> proxy.connect("mon", "mon_pw", ProxyFixture.APP_DB).close());
            assertEquals("28P01", e.getSQLState(), e.toString());
            ServerErrorMessage error = ((PSQLException) e).getServerErrorMessage();
            assertTrue(error.getMessage().contains("password authentication failed for user \"mon\""),
                    error.getMessage());
            assertEquals("The database at " + cluster.host() + ":" + cluster.port() + " refused pgmux's own login as"
                    + " user \"mon\" to database \"" + ProxyFixture.APP_DB + "\"; the client's login to pgmux is not"
                    + " what failed.", error.getDetail());
            assertTrue(error.getHint().contains("role \"mon\" exists in the database"), error.getHint());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scram-sha-256", "md5", "password"})
    void clientsLogInWithEachAuthTypeAndWrongPasswordsAreRefused(String authType) throws Exception {
        // These test connections have no TLS, where a cleartext password must be allowed explicitly.
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("auth_type", authType)
                .set("allow_password_without_tls", "true").start()) {
            try (RawPgClient raw = proxy.raw()) {
                StartupResult startup = raw.login(ProxyFixture.APP_USER, "app", ProxyFixture.APP_PASSWORD, null);
                int expected = switch (authType) {
                    case "md5" -> 5;
                    case "password" -> 3;
                    default -> 10;
                };
                assertEquals(expected, startup.authMethod());
            }
            try (Connection c = proxy.connect()) {
                assertEquals("app_user", Sql.one(c, "select current_user"));
            }
            SQLException e = assertThrows(SQLException.class,
                    () -> proxy.connect(ProxyFixture.APP_USER, "wrong", "app").close());
            assertEquals("28P01", e.getSQLState(), e.toString());
        }
    }

    @Test
    void trustLetsClientsInWithoutAPassword() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("auth_type", "trust").start();
             RawPgClient raw = proxy.raw()) {
            StartupResult startup = raw.login(ProxyFixture.APP_USER, "app", null, null);
            assertEquals(0, startup.authMethod());
            assertEquals("app_user", Raw.queryOne(raw, "select current_user"));
        }
    }

    /**
     * With trust there is no password exchange, so a client may pipeline its first Query behind the
     * StartupMessage; PostgreSQL (the superuser is trusted on the test cluster) answers both.
     */
    @Test
    void withTrustAQueryPipelinedBehindTheStartupMessageIsAnsweredAsOnPostgresql() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("auth_type", "trust").start();
             RawPgClient direct = RawPgClient.connect(cluster.host(), cluster.port());
             RawPgClient client = proxy.raw()) {
            assertEquals("TDCZ", pipelineStartupAndQuery(direct, TestRole.SUPERUSER));
            assertEquals("TDCZ", pipelineStartupAndQuery(client, ProxyFixture.APP_USER));
        }
    }

    /** Sends StartupMessage and Query in one write; returns the message types of the Query's answer. */
    private static String pipelineStartupAndQuery(RawPgClient client, String user) {
        byte[] startup = startupPacket(Map.of("user", user, "database", ProxyFixture.APP_DB));
        byte[] query = new Wire().query("select 'pipelined'").bytes();
        client.sendRaw(Wire.concat(startup, query));
        assertEquals(0, client.expect('R').authCode(), "trusted: AuthenticationOk at once");
        client.readUntilReady();
        List<BackendMessage> answer = client.readUntilReady();
        assertEquals(List.of("pipelined"), answer.get(1).dataRowText());
        return Raw.types(answer);
    }

    static byte[] startupPacket(Map<String, String> params) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(RawPgClient.PROTOCOL_VERSION).array());
        params.forEach((k, v) -> {
            body.writeBytes(Wire.cstring(k));
            body.writeBytes(Wire.cstring(v));
        });
        body.write(0);
        byte[] bytes = body.toByteArray();
        return java.nio.ByteBuffer.allocate(bytes.length + 4).putInt(bytes.length + 4).put(bytes).array();
    }

    @Test
    void aDatabaseWithItsOwnLoginUserConnectsEveryClientAsThatUser() throws Exception {
        ClusterAdmin.ensureRole(cluster, "cap_a", "cap_a_pw");
        ProxyFixture.Config config = ProxyFixture.config(cluster)
                .database("owner_view")
                .databaseSetting("owner_view", "dbname", "app")
                .databaseSetting("owner_view", "user", ProxyFixture.APP_USER)
                .databaseSetting("owner_view", "password", ProxyFixture.APP_PASSWORD)
                .user("cap_a", "cap_a_pw", ProxyFixture.DEFAULT_TENANT);
        try (ProxyFixture proxy = config.start();
             Connection c = proxy.connect("cap_a", "cap_a_pw", "owner_view")) {
            assertEquals("app_user@app", Sql.one(c, "select current_user || '@' || current_database()"));
        }
    }
}
