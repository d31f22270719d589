package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.pgmux.config.IoTransport;
import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The core of forwarding on each socket transport this machine offers ({@code transport}), with two event loops:
 * login, simple and extended queries, a server handed back and forth between clients on different loops, and a
 * cancel.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportsIT {
    private final PostgresCluster cluster;

    TransportsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private ProxyFixture start(IoTransport transport, int poolSize) {
        assumeTrue(switch (transport) {
            case EPOLL -> Epoll.isAvailable();
            case IO_URING -> IoUring.isAvailable();
            case AUTO, NIO -> true;
        }, transport.configName() + " is not available here");
        return ProxyFixture.config(cluster).poolSize(poolSize).set("transport", transport.configName()).start();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = IoTransport.class, names = {"NIO", "EPOLL", "IO_URING"})
    void simpleAndExtendedQueries(IoTransport transport) throws Exception {
        Properties extended = new Properties();
        extended.setProperty("preferQueryMode", "extended");
        Properties simple = new Properties();
        simple.setProperty("preferQueryMode", "simple");
        try (ProxyFixture proxy = start(transport, 2);
             Connection viaSimple = proxy.connect(simple);
             Connection viaExtended = proxy.connect(extended);
             PreparedStatement ps = viaExtended.prepareStatement("select ?::int + 1")) {
            assertEquals("2", Sql.one(viaSimple, "select 1 + 1"));
            for (int i = 0; i < 50; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(i + 1, rs.getInt(1));
                }
            }
            assertEquals("100000", Sql.one(viaSimple, "select count(*) from generate_series(1, 100000)"));
        }
    }

    /**
     * One server for two clients that pgmux accepted on different loops: every transaction moves the server to the
     * other loop, and each must find it reading and writing there.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = IoTransport.class, names = {"NIO", "EPOLL", "IO_URING"})
    void oneServerServesClientsOnBothLoopsInTurn(IoTransport transport) throws Exception {
        try (ProxyFixture proxy = start(transport, 1);
             Connection first = proxy.connect();
             Connection second = proxy.connect()) {
            int pid = Sql.pid(first);
            for (int i = 0; i < 100; i++) {
                Connection c = i % 2 == 0 ? first : second;
                c.setAutoCommit(false);
                Sql.exec(c, "select " + i);
                assertEquals(pid, Sql.pid(c), "one server serves both clients");
                c.commit();
                c.setAutoCommit(true);
            }
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 0,
                    "the server back in the pool");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = IoTransport.class, names = {"NIO", "EPOLL", "IO_URING"})
    void cancelStopsARunningQuery(IoTransport transport) throws Exception {
        try (ProxyFixture proxy = start(transport, 2);
             Connection c = proxy.connect();
             Statement st = c.createStatement()) {
            String marker = "it-transport-cancel-" + transport.configName();
            CompletableFuture<Throwable> sleep = CompletableFuture.supplyAsync(() -> {
                try {
                    st.execute("select pg_sleep(30) /* " + marker + " */");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            ClusterAdmin.awaitRunning(cluster, marker);
            st.cancel();
            Throwable error = sleep.get(10, TimeUnit.SECONDS);
            assertTrue(error instanceof SQLException, "pg_sleep(30) was not cancelled: " + error);
            assertEquals("57014", ((SQLException) error).getSQLState(), error.toString());
            assertEquals("1", Sql.one(c, "select 1"));
        }
    }

}
