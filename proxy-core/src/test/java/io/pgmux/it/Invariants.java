package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolSnapshot;
import io.pgmux.pool.ServerPool;
import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What must hold after every fault, once the load has stopped: no client saw another's rows, errors or settings;
 * every acknowledged commit is in the database and no aborted transaction is, nor half of any; pgmux's own
 * counts return to rest (no clients, none waiting, no server lent, opening or being tested) and its idle servers
 * are exactly the backends PostgreSQL has for it; and pgmux still serves a new client. Leaked buffers are
 * caught by Netty's leak detector, which the build runs in paranoid mode for every test class.
 */
final class Invariants {
    private static final Logger log = LoggerFactory.getLogger(Invariants.class);
    private static final Duration SETTLE = Duration.ofSeconds(60);

    /** The figures of one check, for the log and docs/RELIABILITY.md. */
    record Report(String fault, Workload.Figures load, Ledger.Verdict ledger) {
        @Override
        public String toString() {
            return fault + ": " + load + "; " + ledger;
        }
    }

    private Invariants() {
    }

    /** Checks everything; {@code load} must have been stopped. */
    static Report check(String fault, ProxyFixture proxy, PostgresCluster cluster, Ledger ledger,
                        Workload.Figures load) throws SQLException {
        assertEquals(0, load.crossed(), () -> fault + ": clients saw what was not theirs: " + load.crossings());
        Ledger.Verdict verdict = ledger.verify(cluster);
        assertTrue(verdict.holds(), () -> fault + ": " + verdict);
        awaitAtRest(fault, proxy, cluster);
        servesANewClient(fault, proxy);
        Report report = new Report(fault, load, verdict);
        log.info("RELIABILITY {}", report);
        return report;
    }

    /** pgmux's counts back at rest, and its idle servers exactly the backends the database has for its user. */
    static void awaitAtRest(String fault, ProxyFixture proxy, PostgresCluster cluster) {
        Await.untilChecked(SETTLE, () -> atRest(proxy, cluster).isEmpty(),
                fault + ": pgmux at rest; last seen " + describe(proxy, cluster));
    }

    private static List<String> atRest(ProxyFixture proxy, PostgresCluster cluster) throws SQLException {
        List<String> busy = new ArrayList<>();
        int clients = proxy.server().services().clientCount();
        if (clients != 0) {
            busy.add(clients + " clients counted");
        }
        int idle = 0;
        for (ServerPool pool : proxy.pools().pools()) {
            PoolSnapshot s = pool.snapshot();
            if (s.clientsWaiting() + s.serversActive() + s.serversOpening() + s.serversTested() != 0) {
                busy.add(s.toString());
            }
            idle += s.serversIdle();
        }
        int backends = cluster.countBackends(ProxyFixture.APP_DB, ProxyFixture.APP_USER);
        if (backends != idle) {
            busy.add(idle + " idle servers but " + backends + " backends");
        }
        return busy;
    }

    private static String describe(ProxyFixture proxy, PostgresCluster cluster) {
        try {
            return atRest(proxy, cluster).toString();
        } catch (SQLException | RuntimeException e) {
            return "(cannot tell: " + e + ")";
        }
    }

    /** A new client logs in and runs a query, within the settle time. */
    static void servesANewClient(String fault, ProxyFixture proxy) {
        Await.untilChecked(SETTLE, () -> {
            try (Connection c = proxy.connect()) {
                return "ok".equals(Sql.one(c, "SELECT 'ok'"));
            } catch (SQLException e) {
                log.info("{}: a new client failed, retrying: {} {}", fault, e.getSQLState(), e.getMessage());
                return false;
            }
        }, fault + ": a new client served");
    }
}
