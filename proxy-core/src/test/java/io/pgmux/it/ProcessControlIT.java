package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.RawPgClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's process controls and the runtime's reload and shutdown, driven in process against the shared
 * cluster: PAUSE holds queries until RESUME, KILL drops a database's clients with 57P01, RELOAD of the file under
 * load brings the new caps without a client error and refuses an invalid file, and a graceful shutdown loses no
 * acknowledged commit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessControlIT {
    private static final Optional<String> APP = Optional.of(ProxyFixture.APP_DB);
    private final PostgresCluster cluster = PostgresCluster.shared();

    @Test
    void pauseHoldsQueriesUntilResume() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             Connection a = proxy.connect()) {
            query(a, "select 1");
            proxy.server().control().pause(APP).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("55000", assertThrows(AdminException.class,
                    () -> proxy.server().control().pause(APP)).error().sqlState());
            CompletableFuture<Integer> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return query(a, "select 42");
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            Await.until(Duration.ofSeconds(10), () -> proxy.appSnapshot().clientsWaiting() == 1,
                    "the query to wait while paused");
            assertTrue(!held.isDone());
            proxy.server().control().resume(APP);
            assertEquals(42, held.get(10, TimeUnit.SECONDS));
            assertEquals("55000", assertThrows(AdminException.class,
                    () -> proxy.server().control().resume(APP)).error().sqlState());
            assertEquals("3D000", assertThrows(AdminException.class,
                    () -> proxy.server().control().pause(Optional.of("nope"))).error().sqlState());
        }
    }

    @Test
    void aClientWaitingWhilePausedIsToldSoAndItsTimeoutNamesThePauseNotTheBudget() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).set("query_wait_notify", "500ms")
                .set("query_wait_timeout", "2s").start();
             RawPgClient waiter = proxy.rawLogin()) {
            proxy.server().control().pause(APP).toCompletableFuture().get(10, TimeUnit.SECONDS);
            waiter.query("select 3");
            BackendMessage notice = waiter.expect('N');
            assertTrue(notice.errorField('M').contains("pgmux is paused"), notice::toString);
            BackendMessage fatal = waiter.expect('E');
            assertEquals("FATAL", fatal.errorField('S'), fatal::toString);
            assertEquals("57P03", fatal.errorField('C'), fatal::toString);
            assertTrue(fatal.errorField('M').contains("database app is paused on pgmux's admin console"),
                    fatal::toString);
            assertTrue(fatal.errorField('H').contains("RESUME"), fatal::toString);
            proxy.server().control().resume(APP);
        }
    }

    @Test
    void killDropsTheDatabasesClientsAndDisableRefusesLogins() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start()) {
            Connection a = proxy.connect();
            Connection b = proxy.connect();
            query(a, "select 1");
            proxy.server().control().kill(APP);
            for (Connection each : List.of(a, b)) {
                SQLException e = assertThrows(SQLException.class, () -> query(each, "select 1"));
                assertEquals("57P01", e.getSQLState(), e.getMessage());
                each.close();
            }
            proxy.server().control().resume(APP);
            proxy.server().control().disable(ProxyFixture.APP_DB);
            SQLException refused = assertThrows(SQLException.class, proxy::connect);
            assertEquals("55000", refused.getSQLState(), refused.getMessage());
            proxy.server().control().enable(ProxyFixture.APP_DB);
            try (Connection c = proxy.connect()) {
                assertEquals(1, query(c, "select 1"));
            }
        }
    }

    @Test
    void reloadOfTheFileUnderLoadBringsTheNewCapsAndRefusesAnInvalidFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pgmux.yaml");
        Files.writeString(file, ProxyFixture.config(cluster).poolSize(4).set("query_wait_timeout", "60s")
                .set("max_client_connections", "500").yaml());
        try (ProxyFixture proxy = ProxyFixture.startFromFile(file)) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            AtomicInteger done = new AtomicInteger();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                Thread t = new Thread(() -> {
                    try (Connection c = proxy.connect(); Statement st = c.createStatement()) {
                        while (!stop.get()) {
                            st.execute("select pg_sleep(0.005)");
                            done.incrementAndGet();
                        }
                    } catch (SQLException | RuntimeException e) {
                        errors.add(e);
                    }
                });
                t.start();
                clients.add(t);
            }
            Await.until(Duration.ofSeconds(30), () -> done.get() > 200, "load to run");
            Files.writeString(file, ProxyFixture.config(cluster).poolSize(2).set("query_wait_timeout", "60s")
                    .set("max_client_connections", "500").yaml());
            proxy.server().reload().get(30, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(30), () -> backends(proxy) <= 2, "the servers beyond pool_size 2 to close");
            Files.writeString(file, "pool_size: [not a number\n");
            CompletionException refused = assertThrows(CompletionException.class,
                    () -> proxy.server().reload().join());
            assertEquals("F0000", ((AdminException) refused.getCause()).error().sqlState());
            int before = done.get();
            Await.until(Duration.ofSeconds(30), () -> done.get() > before + 200, "load to go on");
            int max = 0;
            for (int i = 0; i < 20; i++) {
                max = Math.max(max, backends(proxy));
            }
            assertTrue(max <= 2, "at most 2 backends after the reload, saw " + max);
            stop.set(true);
            for (Thread t : clients) {
                t.join(30_000);
            }
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void gracefulShutdownLosesNoAcknowledgedCommit() throws Exception {
        try (Connection direct = direct(); Statement st = direct.createStatement()) {
            st.execute("drop table if exists shutdown_commits");
            st.execute("create table shutdown_commits (id bigint primary key)");
        }
        ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(3).set("shutdown_timeout", "10s").start();
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        List<String> endings = new CopyOnWriteArrayList<>();
        AtomicLong ids = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                Thread t = new Thread(() -> {
                    try (Connection c = proxy.connect(); Statement s = c.createStatement()) {
                        c.setAutoCommit(false);
                        while (true) {
                            long id = ids.incrementAndGet();
                            s.execute("insert into shutdown_commits values (" + id + ")");
                            s.execute("select pg_sleep(0.01)");
                            c.commit();
                            acknowledged.add(id);
                        }
                    } catch (SQLException e) {
                        endings.add(e.getSQLState());
                    }
                });
                t.start();
                clients.add(t);
            }
            Await.until(Duration.ofSeconds(30), () -> acknowledged.size() > 100, "commits to flow");
            long start = System.nanoTime();
            proxy.server().shutdown(Duration.ofSeconds(10), false).get(30, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(13), "stopped within shutdown_timeout");
            for (Thread t : clients) {
                t.join(10_000);
            }
        } finally {
            proxy.close();
        }
        assertEquals(12, endings.size());
        assertEquals(Set.of("57P01"), Set.copyOf(endings), "every client ended with 57P01: " + endings);
        try (Connection direct = direct(); Statement st = direct.createStatement();
             ResultSet rs = st.executeQuery("select id from shutdown_commits")) {
            Set<Long> stored = new java.util.HashSet<>();
            while (rs.next()) {
                stored.add(rs.getLong(1));
            }
            assertTrue(stored.containsAll(acknowledged), "every acknowledged commit is stored");
        }
    }

    private Connection direct() throws SQLException {
        return cluster.connect(ProxyFixture.APP_DB, ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD);
    }

    private int backends(ProxyFixture proxy) {
        try {
            return cluster.countBackends(ProxyFixture.APP_DB, ProxyFixture.APP_USER);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
