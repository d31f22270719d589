package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Closing pgmux closes every client and every server connection it holds. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ShutdownIT {
    private final PostgresCluster cluster;

    ShutdownIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void closingPgmuxClosesEveryClientAndServerConnection() throws Exception {
        try {
            // Several rounds: the connections are left open in most rounds, not all.
            for (int round = 0; round < 5; round++) {
                // Use PgmuxServer directly: ProxyFixture.close() would clean up the strays this test looks for.
                ProxyFixture proxy = ProxyFixture.start(ProxyFixture.config(cluster).poolSize(2).yaml());
                RawPgClient idle = proxy.rawLogin();
                RawPgClient inTransaction = proxy.rawLogin();
                try (RawPgClient leaver = proxy.rawLogin()) {
                    assertEquals('T', Raw.command(inTransaction, "begin"));
                    Raw.pid(inTransaction);
                    assertEquals('T', Raw.command(leaver, "begin"));
                    Raw.pid(leaver);
                } // leaves mid-transaction just before pgmux closes: its server is being rolled back
                proxy.server().close();
                try (RawPgClient a = idle; RawPgClient b = inTransaction) {
                    assertTrue(a.isClosedByPeer(Duration.ofSeconds(3)), "round " + round + ": an idle client "
                            + "is still connected to the closed pgmux");
                    assertTrue(b.isClosedByPeer(Duration.ofSeconds(3)), "round " + round + ": a client in a "
                            + "transaction is still connected to the closed pgmux");
                }
                int r = round;
                Await.untilChecked(Duration.ofSeconds(5), () -> cluster.countBackends("app", "app_user") == 0,
                        "round " + r + ": the closed pgmux's server connections to end");
            }
        } finally {
            ClusterAdmin.terminateStrayBackends(cluster, "app_user");
        }
    }
}
