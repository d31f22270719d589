package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.StartupResult;
import io.pgmux.testing.TestRole;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

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
