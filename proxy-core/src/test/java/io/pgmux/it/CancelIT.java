package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** CancelRequest with the BackendKeyData pgmux gave the client reaches the server running its query. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CancelIT {
    private final PostgresCluster cluster;

    CancelIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void pgjdbcStatementCancelStopsASleepWith57014AndTheConnectionWorksAfterwards() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             Connection c = proxy.connect();
             Connection bystander = proxy.connect();
             Statement st = c.createStatement()) {
            CompletableFuture<Throwable> sleep = CompletableFuture.supplyAsync(() -> {
                try {
                    st.execute("select pg_sleep(30) /* it-cancel-jdbc */");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            ClusterAdmin.awaitRunning(cluster, "it-cancel-jdbc");
            long start = System.nanoTime();
            st.cancel();
            Throwable error = sleep.get(10, TimeUnit.SECONDS);
            assertTrue(error instanceof SQLException, "pg_sleep(30) was not cancelled: " + error);
            assertEquals("57014", ((SQLException) error).getSQLState(), error.toString());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5, "cancel took too long");
            assertEquals("1", Sql.one(c, "select 1"));
            assertEquals("2", Sql.one(bystander, "select 2"));
        }
    }

    @Test
    void rawCancelRequestWithPgmuxKeyCancelsAndAWrongSecretDoesNot() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             ProxyFixture.StartupResultAndClient login = proxy.rawLoginWithResult(null)) {
            RawPgClient client = login.client();
            int pid = login.startup().pid();
            int secret = login.startup().secret();
            assertNotEquals(0, pid, "pgmux must send BackendKeyData");

            // A wrong secret must not cancel anything: this short sleep completes normally.
            client.query("select pg_sleep(1.5) /* it-cancel-wrong */");
            ClusterAdmin.awaitRunning(cluster, "it-cancel-wrong");
            RawPgClient.cancel(proxy.host(), proxy.port(), pid, secret + 1);
            List<BackendMessage> reply = client.readUntilReady();
            assertEquals("TDCZ", Raw.types(reply), "a CancelRequest with a wrong secret cancelled: " + reply);

            client.query("select pg_sleep(30) /* it-cancel-raw */");
            ClusterAdmin.awaitRunning(cluster, "it-cancel-raw");
            RawPgClient.cancel(proxy.host(), proxy.port(), pid, secret);
            BackendMessage message = client.read();
            if (message.type() == 'T') {
                message = client.read();
            }
            assertEquals('E', message.type(), message::toString);
            assertEquals("57014", message.errorField('C'));
            assertEquals('I', client.expect('Z').readyStatus());
            assertEquals("ok", Raw.queryOne(client, "select 'ok'"));
        }
    }

    @Test
    void aCancelForAnIdleClientDoesNotDisturbAnotherClientOnTheSameServer() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             ProxyFixture.StartupResultAndClient idle = proxy.rawLoginWithResult(null);
             RawPgClient busy = proxy.rawLogin()) {
            assertEquals("1", Raw.queryOne(idle.client(), "select 1")); // it has used the only server
            busy.query("select pg_sleep(1.5) /* it-cancel-idle */");
            ClusterAdmin.awaitRunning(cluster, "it-cancel-idle");
            RawPgClient.cancel(proxy.host(), proxy.port(), idle.startup().pid(), idle.startup().secret());
            List<BackendMessage> reply = busy.readUntilReady();
            assertEquals("TDCZ", Raw.types(reply), "a cancel for an idle client hit another client: " + reply);
        }
    }


}
