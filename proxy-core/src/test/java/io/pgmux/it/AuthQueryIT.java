package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.TestRole;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * auth_user / auth_query (PgBouncer's): a role that exists only in the database logs in through pgmux with its
 * own password; pgmux looks its verifier up as auth_user, checks the client against it, and logs in upstream by
 * SCRAM passthrough (or with the md5 hash), holding no password of that role in its configuration.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthQueryIT {
    private static final String ROLE = "found_by_lookup";
    private static final String ROLE_PASSWORD = "lookup-pw";

    private final PostgresCluster cluster;

    AuthQueryIT(PostgresCluster cluster) throws SQLException {
        this.cluster = cluster;
        ClusterAdmin.ensureRole(cluster, ROLE, ROLE_PASSWORD);
        try (Connection su = cluster.superuser(); Statement st = su.createStatement()) {
            st.execute("GRANT CONNECT ON DATABASE " + ProxyFixture.APP_DB + " TO " + ROLE);
        }
    }

    /** pgmux with only the superuser (trusted by the test cluster) configured, as auth_user. */
    private ProxyFixture.Config lookingUp() {
        return ProxyFixture.config(cluster).set("auth_user", TestRole.SUPERUSER)
                .user(TestRole.SUPERUSER, "not-asked", ProxyFixture.DEFAULT_TENANT);
    }

    @Test
    void aRoleOnlyTheDatabaseKnowsLogsInWithItsPasswordAndIsRefusedWithAWrongOne() throws Exception {
        try (ProxyFixture proxy = lookingUp().start()) {
            assertTrue(!proxy.yaml().contains(ROLE), "the configuration names no such user:\n" + proxy.yaml());
            try (Connection c = proxy.connect(ROLE, ROLE_PASSWORD, ProxyFixture.APP_DB)) {
                assertEquals(ROLE, Sql.one(c, "select current_user"));
            }
            // A second client of the role finds its verifier in the cache and the pool logged in already.
            try (Connection c = proxy.connect(ROLE, ROLE_PASSWORD, ProxyFixture.APP_DB)) {
                assertEquals(ROLE, Sql.one(c, "select current_user"));
            }
            SQLException wrong = assertThrows(SQLException.class,
                    () -> proxy.connect(ROLE, "wrong", ProxyFixture.APP_DB).close());
            assertEquals("28P01", wrong.getSQLState(), wrong.toString());
            assertTrue(wrong.getMessage().contains("password authentication failed for user \"" + ROLE + "\""),
                    wrong.getMessage());
            // A role the lookup found gave a wrong password: a failed password of its pool (no tenant: the file has
            // no default_tenant), not an unknown user.
            Scrape scrape = Scrape.metrics(proxy);
            assertEquals(1.0, scrape.value("pgmux_auth_failures_total", "database", ProxyFixture.APP_DB,
                    "tenant", "", "user", ROLE), scrape.body());
            assertTrue(Double.isNaN(scrape.value("pgmux_auth_failures_unknown_user_total", "database",
                    ProxyFixture.APP_DB)), scrape.body());
        }
    }

    @Test
    void aMissingRoleGetsTheErrorOfAWrongPassword() throws Exception {
        try (ProxyFixture proxy = lookingUp().start()) {
            SQLException missing = assertThrows(SQLException.class,
                    () -> proxy.connect("no_such_role", "whatever", ProxyFixture.APP_DB).close());
            SQLException wrong = assertThrows(SQLException.class,
                    () -> proxy.connect(ROLE, "whatever", ProxyFixture.APP_DB).close());
            assertEquals("28P01", missing.getSQLState(), missing.toString());
            assertEquals(wrong.getSQLState(), missing.getSQLState());
            assertEquals(wrong.getMessage().replace(ROLE, "X"), missing.getMessage().replace("no_such_role", "X"));
            Scrape scrape = Scrape.metrics(proxy);
            assertEquals(1.0, scrape.value("pgmux_auth_failures_unknown_user_total", "database", ProxyFixture.APP_DB),
                    "the missing role: " + scrape.body());
            assertEquals(1.0, scrape.value("pgmux_auth_failures_total", "database", ProxyFixture.APP_DB,
                    "tenant", "", "user", ROLE), "the found role: " + scrape.body());
            // The same exchange too: SCRAM for both, with a salt that does not tell them apart.
            for (String user : new String[] {ROLE, "no_such_role"}) {
                try (var raw = proxy.raw()) {
                    raw.sendStartup(java.util.Map.of("user", user, "database", ProxyFixture.APP_DB));
                    assertEquals(10, raw.expect('R').authCode(), user + " is asked for SCRAM-SHA-256");
                }
            }
        }
    }

    @Test
    void aRoleWhosePasswordHasExpiredIsRefused() throws Exception {
        ClusterAdmin.ensureRole(cluster, "expired_role", "expired-pw");
        try (Connection su = cluster.superuser(); Statement st = su.createStatement()) {
            st.execute("ALTER ROLE expired_role VALID UNTIL '2000-01-01'");
        }
        try (ProxyFixture proxy = lookingUp().start()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> proxy.connect("expired_role", "expired-pw", ProxyFixture.APP_DB).close());
            assertEquals("28P01", e.getSQLState(), e.toString());
        }
    }

    @Test
    void anMd5RoleLogsInWithTheMd5ChallengeAndItsHashUpstream() throws Exception {
        try (ProxyFixture proxy = lookingUp().set("auth_type", "md5").start();
             Connection c = proxy.connect(TestRole.MD5.user(), TestRole.MD5.password(), ProxyFixture.APP_DB)) {
            assertEquals(TestRole.MD5.user(), Sql.one(c, "select current_user"));
        }
    }

    /**
     * With trust the lookup still says whether the role exists, as PostgreSQL's trust does, and gives its servers
     * their login: an md5 hash logs in where the server asks for md5.
     */
    @Test
    void withTrustTheLookupDecidesWhetherTheRoleExists() throws Exception {
        try (ProxyFixture proxy = lookingUp().set("auth_type", "trust").start()) {
            try (Connection c = proxy.connect(TestRole.MD5.user(), "not asked", ProxyFixture.APP_DB)) {
                assertEquals(TestRole.MD5.user(), Sql.one(c, "select current_user"));
            }
            SQLException missing = assertThrows(SQLException.class,
                    () -> proxy.connect("no_such_role", "x", ProxyFixture.APP_DB).close());
            assertEquals("28000", missing.getSQLState(), missing.toString());
            assertTrue(missing.getMessage().contains("role \"no_such_role\" does not exist"), missing.getMessage());
        }
    }

    @Test
    void aQueryThatFailsRefusesTheLoginWithoutSayingWhoExists() throws Exception {
        try (ProxyFixture proxy = lookingUp().set("auth_query", "'SELECT usename, passwd FROM no_such_table"
                + " WHERE usename = $1'").start()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> proxy.connect(ROLE, ROLE_PASSWORD, ProxyFixture.APP_DB).close());
            assertEquals("57P03", e.getSQLState(), e.toString());
            SQLException missing = assertThrows(SQLException.class,
                    () -> proxy.connect("no_such_role", "x", ProxyFixture.APP_DB).close());
            assertEquals("57P03", missing.getSQLState(), missing.toString());
        }
    }

    @Test
    void pgShadowAsPgbouncerWritesIt() throws Exception {
        try (ProxyFixture proxy = lookingUp()
                .set("auth_query", "'SELECT usename, passwd FROM pg_shadow WHERE usename=$1'").start();
             Connection c = proxy.connect(ROLE, ROLE_PASSWORD, ProxyFixture.APP_DB)) {
            assertEquals(ROLE, Sql.one(c, "select current_user"));
        }
    }
}
