package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Logins to database {@code pgmux} reach the admin console: admins and stats users with psql and pgjdbc, others
 * refused after authentication, and SHOW POOLS following a pool under load.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminConsoleIT {
    private static final String ADMIN = "pgadmin";
    private static final String ADMIN_PASSWORD = "admin-secret";
    private static final String WATCHER = "watcher";
    private static final String WATCHER_PASSWORD = "watcher-secret";
    private final PostgresCluster cluster;

    AdminConsoleIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private ProxyFixture start() {
        return ProxyFixture.config(cluster).poolSize(2)
                .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.DEFAULT_TENANT)
                .user(ADMIN, ADMIN_PASSWORD, null).user(WATCHER, WATCHER_PASSWORD, null)
                .set("admin", "{users: [" + ADMIN + "], stats_users: [" + WATCHER + "]}").start();
    }

    /** The console speaks the simple query protocol only, as PgBouncer's. */
    private static Connection console(ProxyFixture proxy, String user, String password) throws SQLException {
        Properties simple = new Properties();
        simple.setProperty("preferQueryMode", "simple");
        return proxy.connect(user, password, "pgmux", simple);
    }

    private static List<String> columns(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            names.add(meta.getColumnName(i));
        }
        return names;
    }

    @Test
    void pgjdbcAdminShowsPoolsVersionAndStats() throws Exception {
        try (ProxyFixture proxy = start()) {
            try (Connection app = proxy.connect()) {
                assertEquals("1", Sql.one(app, "select 1"));
            }
            try (Connection c = console(proxy, ADMIN, ADMIN_PASSWORD); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SHOW VERSION")) {
                    assertEquals(List.of("version"), columns(rs));
                    assertTrue(rs.next());
                    assertTrue(rs.getString(1).startsWith("pgmux "), rs.getString(1));
                }
                try (ResultSet rs = s.executeQuery("SHOW POOLS")) {
                    List<String> columns = columns(rs);
                    assertEquals(List.of("database", "user", "cl_active", "cl_waiting", "cl_active_cancel_req",
                            "cl_waiting_cancel_req", "sv_active", "sv_active_cancel", "sv_being_canceled", "sv_idle",
                            "sv_used", "sv_tested", "sv_login", "maxwait", "maxwait_us", "pool_mode",
                            "load_balance_hosts"), columns.subList(0, 17));
                    boolean app = false;
                    while (rs.next()) {
                        app |= ProxyFixture.APP_DB.equals(rs.getString("database"))
                                && ProxyFixture.APP_USER.equals(rs.getString("user"));
                    }
                    assertTrue(app, "the app pool is listed");
                }
                try (ResultSet rs = s.executeQuery("SHOW STATS")) {
                    List<String> columns = columns(rs);
                    assertEquals(List.of("database", "total_server_assignment_count", "total_xact_count",
                            "total_query_count", "total_received", "total_sent"), columns.subList(0, 6));
                    boolean app = false;
                    while (rs.next()) {
                        if (ProxyFixture.APP_DB.equals(rs.getString("database"))) {
                            app = true;
                            assertTrue(rs.getLong("total_xact_count") >= 1, "the select counted");
                            assertTrue(rs.getLong("total_received") > 0);
                        }
                    }
                    assertTrue(app, "the app database is listed");
                }
            }
            Await.until(Duration.ofSeconds(10), () -> proxy.server().services().clientCount() == 0,
                    "every login, the console's included, to give its slot back");
        }
    }

    @Test
    void psqlAdminRunsShowCommands() throws Exception {
        Path psql = Path.of("/usr/lib/postgresql/15/bin/psql");
        assumeTrue(Files.isExecutable(psql), "no psql at " + psql);
        try (ProxyFixture proxy = start()) {
            ProcessBuilder builder = new ProcessBuilder(psql.toString(), "-X", "-A", "-F", "|", "-h", proxy.host(),
                    "-p", Integer.toString(proxy.port()), "-U", ADMIN, "-d", "pgmux", "-c", "SHOW VERSION",
                    "-c", "SHOW POOLS", "-c", "SHOW STATS").redirectErrorStream(true);
            builder.environment().put("PGPASSWORD", ADMIN_PASSWORD);
            builder.environment().put("PGSSLMODE", "disable");
            Process process = builder.start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "psql finished");
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), out);
            assertTrue(out.contains("version\npgmux "), out);
            assertTrue(out.contains("database|user|cl_active|cl_waiting|"), out);
            assertTrue(out.contains("database|total_server_assignment_count|total_xact_count|total_query_count|"),
                    out);
        }
    }

    @Test
    void otherUsersAreRefusedAndStatsUsersMayOnlyRead() throws Exception {
        try (ProxyFixture proxy = start()) {
            SQLException refused = assertThrows(SQLException.class,
                    () -> console(proxy, ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD).close());
            assertEquals("28000", refused.getSQLState(), refused.getMessage());
            SQLException wrongPassword = assertThrows(SQLException.class,
                    () -> console(proxy, ADMIN, "wrong").close());
            assertEquals("28P01", wrongPassword.getSQLState(), "authenticated like anyone else");
            try (Connection c = console(proxy, WATCHER, WATCHER_PASSWORD); Statement s = c.createStatement()) {
                SQLException pause = assertThrows(SQLException.class, () -> s.execute("PAUSE"));
                assertEquals("42501", pause.getSQLState(), pause.getMessage());
                try (ResultSet rs = s.executeQuery("SHOW POOLS")) {
                    assertEquals("database", columns(rs).get(0));
                }
            }
            assertTrue(proxy.pools().pools().stream().noneMatch(p -> "pgmux".equals(p.key().database())),
                    "no pool for the console");
            Await.until(Duration.ofSeconds(10), () -> proxy.server().services().clientCount() == 0,
                    "every login to give its slot back");
        }
    }

    /**
     * One user filling max_client_connections does not lock the operator out: console logins of admin and stats
     * users go beyond it by a reserve of three, counted once authenticated, so logins that never authenticate use
     * none of it; a fourth is refused with 53300 and a reserve slot given back serves the next.
     */
    @Test
    void consoleLoginsGoBeyondAFullMaxClientConnectionsByAReserveOfThreeOnceAuthenticated() throws Exception {
        List<io.pgmux.testing.RawPgClient> unauthenticated = new ArrayList<>();
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2)
                .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.DEFAULT_TENANT)
                .user(ADMIN, ADMIN_PASSWORD, null).user(WATCHER, WATCHER_PASSWORD, null)
                .set("admin", "{users: [" + ADMIN + "], stats_users: [" + WATCHER + "]}")
                .set("max_client_connections", "2").start();
             Connection a = proxy.connect(); Connection b = proxy.connect()) {
            SQLException full = assertThrows(SQLException.class, () -> proxy.connect().close());
            assertEquals("53300", full.getSQLState(), full.getMessage());
            SQLException notAdmin = assertThrows(SQLException.class,
                    () -> console(proxy, ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD).close());
            assertEquals("28000", notAdmin.getSQLState(), "the reserve is for admin and stats users only");
            for (int i = 0; i < 5; i++) {
                io.pgmux.testing.RawPgClient raw = proxy.raw();
                unauthenticated.add(raw);
                raw.sendStartup(Map.of("user", ADMIN, "database", "pgmux"));
                assertEquals(10, raw.read().authCode(), "asked for a password, not refused: counted once it has one");
            }
            try (Connection one = console(proxy, ADMIN, ADMIN_PASSWORD);
                 Connection two = console(proxy, WATCHER, WATCHER_PASSWORD);
                 Connection three = console(proxy, ADMIN, ADMIN_PASSWORD)) {
                assertTrue(Sql.one(one, "SHOW VERSION").startsWith("pgmux"));
                assertTrue(Sql.one(two, "SHOW VERSION").startsWith("pgmux"));
                SQLException beyond = assertThrows(SQLException.class,
                        () -> console(proxy, ADMIN, ADMIN_PASSWORD).close());
                assertEquals("53300", beyond.getSQLState(), beyond.getMessage());
                assertTrue(beyond.getMessage().contains("3 console connections reserved"), beyond.getMessage());
                assertEquals("1", Sql.one(a, "select 1"), "the clients within the cap are untouched");
            }
            Await.until(Duration.ofSeconds(10), () -> proxy.server().services().clientCount() == 2,
                    "the console sessions to give their reserve slots back");
            try (Connection again = console(proxy, ADMIN, ADMIN_PASSWORD)) {
                assertTrue(Sql.one(again, "SHOW VERSION").startsWith("pgmux"));
            }
            SQLException stillFull = assertThrows(SQLException.class, () -> proxy.connect().close());
            assertEquals("53300", stillFull.getSQLState(), "the reserve serves the console only");
        } finally {
            unauthenticated.forEach(io.pgmux.testing.RawPgClient::close);
        }
    }

    /** A megabyte SET on the console is taken whole; the log repeats a bounded part of it. */
    @Test
    void aLongSetValueIsTakenWholeAndLoggedInAFewCharacters() throws Exception {
        String query = "select '" + "x".repeat(1 << 20) + "'";
        try (io.pgmux.testing.LogCapture logs = io.pgmux.testing.LogCapture.start(); ProxyFixture proxy = start();
             Connection c = console(proxy, ADMIN, ADMIN_PASSWORD); Statement s = c.createStatement()) {
            s.execute("SET server_reset_query = '" + query.replace("'", "''") + "'");
            String inForce = null;
            try (ResultSet rs = s.executeQuery("SHOW CONFIG")) {
                while (rs.next()) {
                    if (rs.getString("key").equals("server_reset_query")) {
                        inForce = rs.getString("value");
                    }
                }
            }
            assertEquals(query, inForce, "in force whole");
            List<String> lines = logs.linesWith("server_reset_query");
            assertTrue(lines.size() >= 2, "the statement and its taking effect are logged: " + lines.size());
            for (String line : lines) {
                assertTrue(line.length() < 400, "a log line of " + line.length() + " characters");
            }
        }
    }

    /**
     * The reported parameters a client sets on the console take the values PostgreSQL gives them, side by side with
     * a direct connection: application_name cleaned to printable ASCII, a DateStyle, IntervalStyle or TimeZone
     * PostgreSQL refuses refused with its SQLSTATE, message and detail, and nothing echoed past what libpq reads.
     */
    @Test
    void reportedParametersTakePostgreSqlsValues() throws Exception {
        String huge = "C".repeat(40_000);
        String[] refusedSets = {"SET DateStyle = '" + huge + "'", "SET DateStyle = 'ISO, SQL'",
            "SET IntervalStyle = 'roman'", "SET TimeZone = '" + "Z".repeat(256) + "'"};
        List<List<String>> answers = new ArrayList<>();
        try (ProxyFixture proxy = start(); Connection direct = cluster.superuser();
             Connection c = console(proxy, ADMIN, ADMIN_PASSWORD)) {
            for (Connection each : List.of(direct, c)) {
                List<String> answer = new ArrayList<>();
                try (Statement s = each.createStatement()) {
                    s.execute("SET application_name = 'caf\u00e9\tbar'");
                    answer.add(showOf(s, "application_name"));
                    s.execute("SET application_name = '" + huge + "'");
                    java.sql.SQLWarning cut = s.getWarnings();
                    answer.add(cut.getSQLState() + " " + cut.getMessage());
                    answer.add(showOf(s, "application_name"));
                    s.execute("SET IntervalStyle = 'SQL_STANDARD'");
                    answer.add(showOf(s, "IntervalStyle"));
                    for (String set : refusedSets) {
                        SQLException e = assertThrows(SQLException.class, () -> s.execute(set), set);
                        org.postgresql.util.ServerErrorMessage error =
                                ((org.postgresql.util.PSQLException) e).getServerErrorMessage();
                        answer.add(error.getSQLState() + " " + error.getMessage() + " / " + error.getDetail()
                                + " / " + error.getHint());
                    }
                    answer.add(showOf(s, "DateStyle"));
                }
                answers.add(answer);
            }
        }
        assertEquals("caf???bar", answers.get(1).get(0));
        assertEquals("C".repeat(63), answers.get(1).get(2));
        assertEquals(answers.get(0), answers.get(1), "the console answers as PostgreSQL");
    }

    /**
     * A SET's value is read as PostgreSQL reads it, side by side with a direct connection: an unquoted name folded to
     * lower case and cut at 63 bytes with its NOTICE, a quoted one and a string kept, numbers written back as SET
     * writes them, search_path's names quoted, enum and Boolean values shown as PostgreSQL shows them, time zones
     * spelled as PostgreSQL spells them, SET LOCAL and SET TRANSACTION warned of outside a transaction block, the
     * session's transaction modes set, a query's settings rolled back by its error, and what PostgreSQL refuses
     * refused with its SQLSTATE, message, detail and hint (the console adds a hint to a syntax error, where
     * PostgreSQL gives none).
     */
    @Test
    void setValuesAreReadAsPostgreSqlReadsThem() throws Exception {
        String[][] sets = {
            {"SET application_name = Billing", "application_name"},
            {"SET application_name = \"Billing\"", "application_name"},
            {"SET application_name = 'Billing'", "application_name"},
            {"SET application_name = TRUE", "application_name"},
            {"SET application_name = 3.50", "application_name"},
            {"SET application_name = +03", "application_name"},
            {"SET application_name = " + "Y".repeat(70), "application_name"},
            {"SET application_name = a, b", "application_name"},
            {"SET application_name = foo-bar", "application_name"},
            {"SET application_name = a.b", "application_name"},
            {"SET application_name = \"\"", "application_name"},
            {"SET statement_timeout = 10s", "statement_timeout"},
            {"SET statement_timeout = 5000", "statement_timeout"},
            {"SET lock_timeout = '120s'", "lock_timeout"},
            {"SET lock_timeout = 1.5", "lock_timeout"},
            {"SET idle_in_transaction_session_timeout = '.5h'", "idle_in_transaction_session_timeout"},
            {"SET statement_timeout = '5S'", "statement_timeout"},
            {"SET statement_timeout = -1", "statement_timeout"},
            {"SET statement_timeout = 2147483648", "statement_timeout"},
            {"SET statement_timeout = ''", "statement_timeout"},
            {"SET statement_timeout = DEFAULT", "statement_timeout"},
            {"SET extra_float_digits = 1", "extra_float_digits"},
            {"SET extra_float_digits = 010", "extra_float_digits"},
            {"SET extra_float_digits = '2.5'", "extra_float_digits"},
            {"SET extra_float_digits = 'x'", "extra_float_digits"},
            {"SET search_path = 'My Schema', Public, \"$user\"", "search_path"},
            {"SET search_path = " + "Z".repeat(70), "search_path"},
            {"SET search_path = 'select', 'int', 'abort', Between", "search_path"},
            {"SET application_name = select", "application_name"},
            {"SET application_name = between", "application_name"},
            {"SET application_name = on", "application_name"},
            {"SET DateStyle = iso, dmy", "DateStyle"},
            {"SET datestyle = \"ISO\", YMD", "DateStyle"},
            {"SET IntervalStyle = SQL_STANDARD", "IntervalStyle"},
            {"SET TimeZone = utc", "TimeZone"},
            {"SET TIME ZONE 'europe/berlin'", "TimeZone"},
            {"SET TIME ZONE -8", "TimeZone"},
            {"SET TimeZone = 3.5", "TimeZone"},
            {"SET TIME ZONE 168", "TimeZone"},
            {"SET default_transaction_isolation = 'REPEATABLE READ'", "default_transaction_isolation"},
            {"SET default_transaction_isolation = 'read'", "default_transaction_isolation"},
            {"SET client_min_messages = WARNING", "client_min_messages"},
            {"SET bytea_output = 'HEX'", "bytea_output"},
            {"SET bytea_output = base64", "bytea_output"},
            {"SET jit = of", "jit"},
            {"SET jit = maybe", "jit"},
            {"SET application_name = 'rolled back'; SET jit = maybe", "application_name"},
            {"SET LOCAL application_name = 'local'", "application_name"},
            {"SET LOCAL jit = maybe", "jit"},
            {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "transaction_isolation"},
            {"SET transaction_isolation = 'serializable'", "transaction_isolation"},
            {"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ, DEFERRABLE",
                "transaction_isolation"},
            {"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL bogus", "default_transaction_deferrable"},
            {"SET default_transaction_read_only = yes", "default_transaction_read_only"},
            {"SET application_name = E'it\\'s'", "application_name"},
            {"SET application_name = e'\\x41\\101\\u0042\\q'", "application_name"},
            {"SET application_name = E'a\\tb'", "application_name"},
            {"SET application_name = $$a;b$$", "application_name"},
            {"SET application_name = $tag$x$y$tag$", "application_name"},
            {"SET application_name = U&'d\\0061t\\+000062'", "application_name"},
            {"SET search_path = E'My\\\\Schema', $$Other$$", "search_path"},
            {"SET application_name = E'\\u12'", "application_name"},
            {"SET application_name = U&'\\00'", "application_name"}};
        List<List<String>> answers = new ArrayList<>();
        try (ProxyFixture proxy = start(); Connection direct = cluster.superuser();
             Connection c = console(proxy, ADMIN, ADMIN_PASSWORD)) {
            for (Connection each : List.of(direct, c)) {
                List<String> answer = new ArrayList<>();
                try (Statement s = each.createStatement()) {
                    for (String[] set : sets) {
                        answer.add(set[0] + " -> " + outcome(s, set[0]) + " -> " + showOf(s, set[1]));
                    }
                }
                answers.add(answer);
            }
        }
        assertTrue(answers.get(1).get(0).endsWith("-> billing"), answers.get(1).get(0));
        for (int i = 0; i < sets.length; i++) {
            String theirs = answers.get(0).get(i);
            String ours = answers.get(1).get(i);
            if (theirs.contains(" / HINT null ->")) {
                ours = ours.replaceFirst(" / HINT .* ->", " / HINT null ->");
            }
            assertEquals(theirs, ours, "the console answers as PostgreSQL");
        }
    }

    /** SHOW names its column as PostgreSQL does, for the key word forms too (SHOW TIME ZONE). */
    @Test
    void showNamesItsColumnAsPostgreSql() throws Exception {
        String[] shows = {"SHOW datestyle", "SHOW intervalstyle", "SHOW timezone", "SHOW TIME ZONE",
            "SHOW TRANSACTION ISOLATION LEVEL", "SHOW SESSION AUTHORIZATION", "SHOW search_path", "SHOW in_hot_standby",
            "SHOW default_transaction_read_only"};
        List<List<String>> columns = new ArrayList<>();
        try (ProxyFixture proxy = start(); Connection direct = cluster.superuser();
             Connection c = console(proxy, ADMIN, ADMIN_PASSWORD)) {
            for (Connection each : List.of(direct, c)) {
                List<String> names = new ArrayList<>();
                try (Statement s = each.createStatement()) {
                    for (String show : shows) {
                        try (ResultSet rs = s.executeQuery(show)) {
                            names.add(show + ": " + columns(rs));
                        }
                    }
                }
                columns.add(names);
            }
        }
        assertEquals(columns.get(0), columns.get(1));
    }

    /** What a statement answered: its NOTICEs, or its error's SQLSTATE, message, detail and hint. */
    private static String outcome(Statement s, String sql) {
        try {
            s.clearWarnings();
            s.execute(sql);
            StringBuilder notices = new StringBuilder("ok");
            for (java.sql.SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                notices.append(" / ").append(w.getSQLState()).append(' ').append(w.getMessage());
            }
            return notices.toString();
        } catch (SQLException e) {
            org.postgresql.util.ServerErrorMessage error = ((org.postgresql.util.PSQLException) e)
                    .getServerErrorMessage();
            return error.getSQLState() + " " + error.getMessage() + " / " + error.getDetail() + " / HINT "
                    + error.getHint();
        }
    }

    /**
     * The console greets with the ParameterStatus messages a direct connection gets, in the same order and, where
     * the value is not the console's own (server_version, TimeZone, is_superuser, session_authorization), the same
     * values.
     */
    @Test
    void theGreetingReportsWhatPostgreSqlReportsInItsOrder() {
        Map<String, String> asked = Map.of("application_name", "Side By Side", "DateStyle", "sql, dmy");
        Map<String, String> direct;
        Map<String, String> greeted;
        try (io.pgmux.testing.RawPgClient client = io.pgmux.testing.RawPgClient.connect(cluster.host(),
                cluster.port())) {
            direct = client.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, asked)
                    .params();
        }
        try (ProxyFixture proxy = start(); io.pgmux.testing.RawPgClient client = proxy.raw()) {
            greeted = client.login(ADMIN, "pgmux", ADMIN_PASSWORD, asked).params();
        }
        assertEquals(List.copyOf(direct.keySet()), List.copyOf(greeted.keySet()), "the same names in the same order");
        Map<String, String> theirs = new LinkedHashMap<>(direct);
        Map<String, String> ours = new LinkedHashMap<>(greeted);
        for (String own : List.of("server_version", "TimeZone", "is_superuser", "session_authorization")) {
            theirs.remove(own);
            ours.remove(own);
        }
        assertEquals(theirs, ours, "the same values");
        assertEquals("SQL, DMY", ours.get("DateStyle"));
        assertTrue(greeted.get("server_version").endsWith("/pgmux"), greeted.get("server_version"));
    }

    /**
     * A query's messages come in PostgreSQL's order, side by side with a direct connection over the simple query
     * protocol: the changed reported parameters after the CommandCompletes, once each with the value the query left,
     * none for a value set back or rolled back by an error; SET LOCAL's NOTICE for a name cut short, then its
     * WARNING, then its error.
     */
    @Test
    void aQuerysMessagesComeInPostgreSqlsOrder() {
        String[] queries = {"SET application_name = 'a'; SET application_name = 'b'",
            "SET application_name = 'c'; SET application_name = 'b'",
            "SET application_name = 'd'; SET jit = maybe",
            "SET LOCAL application_name = " + "Q".repeat(70),
            "SET LOCAL jit = maybe",
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; SET DateStyle = 'ISO, DMY'",
            "RESET ALL"};
        List<List<String>> answers = new ArrayList<>();
        try (ProxyFixture proxy = start();
             io.pgmux.testing.RawPgClient direct = io.pgmux.testing.RawPgClient.connect(cluster.host(),
                     cluster.port());
             io.pgmux.testing.RawPgClient console = proxy.raw()) {
            direct.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, Map.of());
            console.login(ADMIN, "pgmux", ADMIN_PASSWORD, Map.of());
            for (io.pgmux.testing.RawPgClient each : List.of(direct, console)) {
                List<String> answer = new ArrayList<>();
                for (String query : queries) {
                    each.query(query);
                    StringBuilder reply = new StringBuilder();
                    for (io.pgmux.testing.BackendMessage m : each.readUntilReady()) {
                        reply.append(m.type());
                        if (m.type() == 'N' || m.type() == 'E') {
                            reply.append('(').append(m.errorField('C')).append(')');
                        }
                        if (m.type() == 'S') {
                            reply.append('(').append(m.paramName()).append('=').append(m.paramValue()).append(')');
                        }
                    }
                    answer.add(query + " -> " + reply);
                }
                answers.add(answer);
            }
        }
        assertEquals("SET application_name = 'a'; SET application_name = 'b' -> CCS(application_name=b)Z",
                answers.get(1).get(0));
        assertEquals(answers.get(0), answers.get(1), "the console reports as PostgreSQL");
    }

    /** psql, whose libpq drops a connection on a ParameterStatus over 30,000 bytes, survives a long name. */
    @Test
    void psqlSurvivesALongApplicationName() throws Exception {
        Path psql = Path.of("/usr/lib/postgresql/15/bin/psql");
        assumeTrue(Files.isExecutable(psql), "no psql at " + psql);
        try (ProxyFixture proxy = start()) {
            ProcessBuilder builder = new ProcessBuilder(psql.toString(), "-X", "-A", "-h", proxy.host(),
                    "-p", Integer.toString(proxy.port()), "-U", ADMIN, "-d", "pgmux",
                    "-c", "SET application_name = '" + "C".repeat(40_000) + "'", "-c", "SHOW application_name")
                    .redirectErrorStream(true);
            builder.environment().put("PGPASSWORD", ADMIN_PASSWORD);
            builder.environment().put("PGSSLMODE", "disable");
            Process process = builder.start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "psql finished");
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), out);
            assertTrue(out.contains("will be truncated to"), out);
            assertTrue(out.contains("application_name\n" + "C".repeat(63) + "\n"), out);
        }
    }

    private static String showOf(Statement s, String parameter) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW " + parameter)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    /** SHOW LISTS' {@code login_clients}, read on the console. */
    private static int loginClients(Connection console) throws SQLException {
        try (Statement s = console.createStatement(); ResultSet rs = s.executeQuery("SHOW LISTS")) {
            while (rs.next()) {
                if (rs.getString("list").equals("login_clients")) {
                    return rs.getInt("items");
                }
            }
        }
        throw new AssertionError("SHOW LISTS has no login_clients");
    }

    /**
     * login_clients counts connections that have not logged in yet, as PgBouncer counts its clients in login state:
     * sockets that sent nothing and logins in the middle of their password exchange; not logged-in clients.
     */
    @Test
    void showListsCountsClientsStillLoggingIn() throws Exception {
        List<io.pgmux.testing.RawPgClient> logging = new ArrayList<>();
        try (ProxyFixture proxy = start(); Connection console = console(proxy, ADMIN, ADMIN_PASSWORD);
             Connection app = proxy.connect()) {
            assertEquals("1", Sql.one(app, "select 1"));
            assertEquals(0, loginClients(console), "the console and the app client have logged in");
            for (int i = 0; i < 5; i++) {
                logging.add(proxy.raw()); // connected, nothing sent
            }
            io.pgmux.testing.RawPgClient halfway = proxy.raw();
            logging.add(halfway);
            halfway.sendStartup(Map.of("user", ProxyFixture.APP_USER, "database", "app"));
            assertEquals(10, halfway.read().authCode(), "in the middle of SCRAM");
            Await.untilChecked(Duration.ofSeconds(10), () -> loginClients(console) == 6, "six connections logging in");
            logging.forEach(io.pgmux.testing.RawPgClient::close);
            logging.clear();
            Await.untilChecked(Duration.ofSeconds(10), () -> loginClients(console) == 0, "the six to be gone");
        } finally {
            logging.forEach(io.pgmux.testing.RawPgClient::close);
        }
    }

    /**
     * Twelve clients sleeping on a pool of two: SHOW POOLS shows two servers active and the rest waiting, SHOW
     * TENANTS the tenant's pool_size saturated; once they are done, its two servers are held but none is in use.
     */
    @Test
    void showPoolsFollowsTheLoad() throws Exception {
        try (ProxyFixture proxy = start()) {
            ExecutorService clients = Executors.newFixedThreadPool(12);
            List<Future<String>> sleeps = new ArrayList<>();
            try (Connection c = console(proxy, ADMIN, ADMIN_PASSWORD); Statement s = c.createStatement()) {
                for (int i = 0; i < 12; i++) {
                    sleeps.add(clients.submit(() -> {
                        try (Connection app = proxy.connect()) {
                            return Sql.one(app, "select pg_sleep(1.5)::text");
                        }
                    }));
                }
                Await.untilChecked(Duration.ofSeconds(30), () -> {
                    try (ResultSet rs = s.executeQuery("SHOW POOLS")) {
                        while (rs.next()) {
                            if (ProxyFixture.APP_DB.equals(rs.getString("database"))) {
                                return rs.getInt("cl_waiting") >= 8 && rs.getInt("sv_active") == 2;
                            }
                        }
                        return false;
                    }
                }, "SHOW POOLS to show two servers active and at least eight clients waiting");
                Await.untilChecked(Duration.ofSeconds(30), () -> {
                    Map<String, String> t = appTenant(s);
                    return t.get("in_use").equals("2") && t.get("utilization_pct").equals("100.0");
                }, "SHOW TENANTS to show both of the tenant's servers in use: 100 % of its pool_size");
                for (Future<String> each : sleeps) {
                    assertEquals("", each.get(60, TimeUnit.SECONDS));
                }
                // The burst is over: the servers stay open, idle until server_idle_timeout, in use by nobody.
                Await.untilChecked(Duration.ofSeconds(30), () -> appTenant(s).get("in_use").equals("0"),
                        "SHOW TENANTS to show no server in use once the clients are done");
                Map<String, String> after = appTenant(s);
                assertEquals("2", after.get("servers"), after.toString());
                assertEquals("0.0", after.get("utilization_pct"), after.toString());
                assertEquals("0", after.get("waiting"), after.toString());
            } finally {
                clients.shutdownNow();
            }
        }
    }

    /** The console's SHOW TENANTS row of the default tenant on the app database, by column name. */
    private static Map<String, String> appTenant(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW TENANTS")) {
            List<String> columns = columns(rs);
            while (rs.next()) {
                if (ProxyFixture.DEFAULT_TENANT.equals(rs.getString("tenant"))
                        && ProxyFixture.APP_DB.equals(rs.getString("database"))) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (String each : columns) {
                        row.put(each, rs.getString(each));
                    }
                    return row;
                }
            }
        }
        throw new AssertionError("SHOW TENANTS has no row for the default tenant on " + ProxyFixture.APP_DB);
    }
}
