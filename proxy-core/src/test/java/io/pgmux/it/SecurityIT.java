package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.PgmuxMain;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.StartupResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client must not be able to do or learn through pgmux: reach a database or an upstream outside the
 * configuration, guess or forge a cancel key, reach the admin console without being an admin, or find a
 * password or a query parameter in pgmux's log. The configuration file's permissions are checked at start
 * (ConfigFileAccessTest in config/).
 */
@Tag("reliability")
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecurityIT {
    private final PostgresCluster cluster;

    SecurityIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void cancelKeysAreRandomAndAWrongKeyCancelsNothing() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start()) {
            List<RawPgClient> clients = new ArrayList<>();
            Set<Integer> pids = new HashSet<>();
            Set<Integer> secrets = new HashSet<>();
            List<Integer> pidOrder = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    RawPgClient client = proxy.raw();
                    clients.add(client);
                    StartupResult login = client.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB,
                            ProxyFixture.APP_PASSWORD, null);
                    pids.add(login.pid());
                    secrets.add(login.secret());
                    pidOrder.add(login.pid());
                }
            } finally {
                clients.forEach(RawPgClient::close);
            }
            assertEquals(20, pids.size(), "process ids repeat: " + pidOrder);
            assertEquals(20, secrets.size(), "secret keys repeat");
            int sequentialSteps = 0;
            for (int i = 1; i < pidOrder.size(); i++) {
                long step = (long) pidOrder.get(i) - pidOrder.get(i - 1);
                if (step > 0 && step < 1000) {
                    sequentialSteps++;
                }
            }
            assertTrue(sequentialSteps < 3, "successive clients get neighbouring process ids: " + pidOrder);

            try (RawPgClient victim = proxy.raw()) {
                StartupResult key = victim.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB,
                        ProxyFixture.APP_PASSWORD, null);
                victim.query("SELECT pg_sleep(1.5), 'survived' /* wrong keys */");
                ClusterAdmin.awaitRunning(cluster, "wrong keys");
                RawPgClient.cancel(proxy.host(), proxy.port(), key.pid(), key.secret() + 1);
                RawPgClient.cancel(proxy.host(), proxy.port(), key.pid() ^ 1, key.secret());
                List<?> answer = victim.readUntilReady();
                assertFalse(answer.toString().contains("57014"), "a wrong key cancelled the query: " + answer);
                assertTrue(answer.toString().contains("survived"), answer.toString());

                victim.query("SELECT pg_sleep(30) /* right key */");
                ClusterAdmin.awaitRunning(cluster, "right key");
                RawPgClient.cancel(proxy.host(), proxy.port(), key.pid(), key.secret());
                assertTrue(victim.readUntilReady().toString().contains("57014"), "the right key cancels");
            }
        }
    }

    @Test
    void noDatabaseOutsideTheConfigurationIsReachable() throws Exception {
        ClusterAdmin.terminateStrayBackends(cluster, ProxyFixture.APP_USER);
        try (ProxyFixture proxy = ProxyFixture.config(cluster).start()) {
            for (String database : List.of("postgres", "template1", "template0", "app host=127.0.0.1", "App",
                    "app\u0000", "pgmux_other")) {
                SQLException refused = assertThrows(SQLException.class,
                        () -> proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, database).close(),
                        database);
                assertTrue(List.of("3D000", "08P01", "28000").contains(refused.getSQLState()),
                        database + ": " + refused.getSQLState() + " " + refused.getMessage());
            }
            SQLException noPassword = assertThrows(SQLException.class,
                    () -> proxy.connect(ProxyFixture.APP_USER, "wrong", "postgres").close());
            assertEquals("28P01", noPassword.getSQLState(), "without the password nobody learns which exist");
            assertEquals(0, cluster.countBackends(null, ProxyFixture.APP_USER),
                    "pgmux opened a connection for a database it does not serve");
        }
    }

    /**
     * The admin console (database {@code pgmux}) answers only admin and stats users: anyone else is refused after
     * authentication (28000), and a stats user may only read (42501 for SHUTDOWN). The console's privileges are
     * also tested in memory by AdminPrivilegeTest.
     */
    @Test
    void noAdminCommandForAUserWhoIsNotAnAdmin() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster)
                .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.DEFAULT_TENANT)
                .user("monitor", "monitor_pw", null)
                .set("admin", "{stats_users: [monitor]}").start()) {
            Properties simple = new Properties();
            simple.setProperty("preferQueryMode", "simple");
            SQLException refused = assertThrows(SQLException.class, () -> {
                try (Connection c = proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, "pgmux", simple)) {
                    Sql.exec(c, "SHUTDOWN");
                }
            });
            assertEquals("28000", refused.getSQLState(), refused.toString());
            try (Connection c = proxy.connect("monitor", "monitor_pw", "pgmux", simple)) {
                SQLException notAllowed = assertThrows(SQLException.class, () -> Sql.exec(c, "SHUTDOWN"));
                assertEquals("42501", notAllowed.getSQLState(), notAllowed.toString());
                SQLException noPause = assertThrows(SQLException.class, () -> Sql.exec(c, "PAUSE"));
                assertEquals("42501", noPause.getSQLState(), noPause.toString());
            }
            try (Connection c = proxy.connect()) {
                assertEquals("1", Sql.one(c, "SELECT 1"), "pgmux still serves");
            }
        }
    }

    @Test
    void noPasswordOrQueryParameterAppearsInTheLogAtAnyLevel(@TempDir Path dir) throws Exception {
        String marker = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String role = "logcheck";
        String password = "pw-" + marker + "-secret";
        String wrongPassword = "wrong-" + marker;
        String parameter = "param-" + marker;
        String failingParameter = "bad-" + marker;
        ClusterAdmin.ensureRole(cluster, role, password);
        Path yaml = dir.resolve("pgmux.yaml");
        Files.writeString(yaml, ProxyFixture.config(cluster).user(role, "\"" + password + "\"", null)
                .poolSize(2).yaml());
        Path log = dir.resolve("pgmux.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
                "-Dio.netty.leakDetection.level=paranoid",
                PgmuxMain.class.getName(), yaml.toString())
                .redirectError(log.toFile())
                .start();
        try {
            int port = listeningPort(child);
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/" + ProxyFixture.APP_DB;
            assertThrows(SQLException.class, () -> DriverManager.getConnection(url, props(role, wrongPassword)));
            try (Connection c = DriverManager.getConnection(url, props(role, password))) {
                try (PreparedStatement ps = c.prepareStatement("SELECT length(?::text)")) {
                    for (int i = 0; i < 6; i++) { // past prepareThreshold: named statements too
                        ps.setString(1, parameter);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            assertEquals(parameter.length(), rs.getInt(1));
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT ?::int")) {
                    ps.setString(1, failingParameter);
                    assertThrows(SQLException.class, ps::executeQuery);
                }
            }
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(text.contains("TRACE") || text.contains("DEBUG"), "the log was not at TRACE/DEBUG: "
                + text.substring(0, Math.min(400, text.length())));
        for (String secret : List.of(password, wrongPassword, parameter, failingParameter, marker)) {
            List<String> lines = text.lines().filter(l -> l.contains(secret)).toList();
            assertTrue(lines.isEmpty(), "the log shows \"" + secret + "\":\n" + String.join("\n", lines));
        }
        assertNotEquals(0, text.lines().count());
    }

    private static Properties props(String user, String password) {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("sslmode", "disable");
        props.setProperty("prepareThreshold", "3");
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        return props;
    }

    private static int listeningPort(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("LISTENING ")) {
                return Integer.parseInt(line.substring("LISTENING ".length()).strip());
            }
        }
        throw new AssertionError("pgmux did not start; exit " + child.waitFor());
    }
}
