package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that leaves in the middle of COPY FROM STDIN, with Terminate or by closing its socket. PostgreSQL reads
 * a Terminate there as a protocol error: an ERROR 08P01 ("unexpected message type 0x58 during COPY from stdin") and
 * a FATAL 08P01, and it exits; rows sent before the Terminate are read first, so a bad one gets its own error and
 * the Terminate then ends the session quietly. pgmux passes the Terminate to the backend, whose answers reach the
 * client as they are; the backend exits, the COPY is rolled back, and the pool serves the next client with a new
 * backend (as PgBouncer closes a server whose client left mid-request). A client that just closes its socket has
 * the COPY failed with CopyFail and rolled back, and its very backend, idle, goes to the next client.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CopyAbandonedIT {
    @RegisterExtension
    static final OneServerFixture fixture = new OneServerFixture("it_copy_left");
    private final PostgresCluster cluster;

    CopyAbandonedIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /** The backend is idle (not in COPY, not in a transaction), back in the pool, and serves the next client. */
    private void backIdleAndReused(int pid) throws Exception {
        fixture.awaitBackendIdle(pid);
        Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversIdle() == 1, "the server back in the pool");
        try (RawPgClient next = fixture.proxy().rawLogin()) {
            assertEquals(pid, Raw.pid(next), "the same backend serves the next client");
            assertEquals("0", Raw.queryOne(next, "select count(*) from it_copy_left"), "the COPY was rolled back");
        }
    }

    private static List<BackendMessage> readUntilClosed(RawPgClient client) {
        List<BackendMessage> messages = new ArrayList<>();
        messages.add(client.read());
        messages.add(client.read());
        assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)), "the connection closes after " + messages);
        return messages;
    }

    /** The backend exited, the COPY with it, and the pool's next client is served by a new backend. */
    private void replacedAndRolledBack(int pid) throws Exception {
        fixture.awaitBackendGone(pid);
        try (RawPgClient next = fixture.proxy().rawLogin()) {
            assertNotEquals(pid, Raw.pid(next), "a new backend serves the next client");
            assertEquals("0", Raw.queryOne(next, "select count(*) from it_copy_left"), "the COPY was rolled back");
        }
    }

    /** The answers to {@code rows} then Terminate, sent in COPY FROM STDIN: on a direct connection, then through pgmux. */
    private void sameAnswersAsPostgres(String rows, String expected) throws Exception {
        int pid = fixture.poolBackend();
        String direct;
        try (RawPgClient client = Raw.direct(cluster)) {
            client.query("copy it_copy_left from stdin");
            client.expect('G');
            new Wire().copyData(rows).terminate().sendTo(client);
            direct = Raw.summary(readUntilClosed(client));
        }
        assertEquals(expected, direct, "PostgreSQL's answer");
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            client.query("copy it_copy_left from stdin");
            client.expect('G');
            new Wire().copyData(rows).terminate().sendTo(client);
            assertEquals(direct, Raw.summary(readUntilClosed(client)));
        }
        replacedAndRolledBack(pid);
    }

    @Test
    void terminateDuringCopyGetsPostgresErrors() throws Exception {
        sameAnswersAsPostgres("1\n", "E(ERROR 08P01) E(FATAL 08P01)");
    }

    /** The bad row fails the COPY before the backend reads the Terminate, which then ends the session quietly. */
    @Test
    void aBadRowBeforeTheTerminateGetsItsOwnError() throws Exception {
        sameAnswersAsPostgres("1\nnot a number\n", "E(ERROR 22P02) Z(I)");
    }

    /**
     * COPY data passes to the server in runs, so a client that hangs up in the middle of a CopyData leaves the
     * backend waiting for the rest of that message: anything pgmux sent next (CopyFail, ROLLBACK) would be read as
     * its bytes. The server is closed instead, and the pool serves the next client with a new one.
     */
    @Test
    void aHangUpInsideACopyDataMessageClosesTheServer() throws Exception {
        int pid = fixture.poolBackend();
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            client.query("copy it_copy_left from stdin");
            client.expect('G');
            // A CopyData announcing 1000 bytes of data, of which 10 arrive.
            client.sendRaw(OneServerFixture.partialCopyData());
            Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversActive() == 1, "the COPY running");
        }
        fixture.awaitBackendGone(pid);
        Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversTested()
                + fixture.proxy().appSnapshot().serversActive() == 0, "no server held by the abandoned COPY");
        try (RawPgClient next = fixture.proxy().rawLogin()) {
            assertEquals("0", Raw.queryOne(next, "select count(*) from it_copy_left"), "the COPY was rolled back");
        }
    }

    /**
     * The same for a client pgmux ends itself inside a CopyData (KILL_CLIENT here; a timeout or a shutdown alike):
     * the backend gets no CopyFail, no ROLLBACK, not even a Terminate, which it would read as COPY data; its socket
     * is closed, and it rolls back as when a client dies.
     */
    @Test
    void aKillInsideACopyDataMessageHangsUpOnTheServer() throws Exception {
        int pid = fixture.poolBackend();
        try (ProxyFixture.StartupResultAndClient login = fixture.proxy().rawLoginWithResult(Map.of())) {
            RawPgClient client = login.client();
            client.query("copy it_copy_left from stdin");
            client.expect('G');
            long before = fixture.bytesReceived();
            byte[] firstPart = OneServerFixture.partialCopyData();
            client.sendRaw(firstPart);
            Await.until(Duration.ofSeconds(5), () -> fixture.bytesReceived() - before == firstPart.length,
                    "the CopyData's first part in");
            fixture.proxy().server().control().killClient(login.startup().pid());
            Raw.expectFatal(client, "57P01");
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
        fixture.awaitBackendGone(pid);
        try (RawPgClient next = fixture.proxy().rawLogin()) {
            assertEquals("0", Raw.queryOne(next, "select count(*) from it_copy_left"), "the COPY was rolled back");
        }
    }

    @Test
    void terminateDuringCopyInATransactionBlockRollsItBack() throws Exception {
        int pid = fixture.poolBackend();
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            Raw.command(client, "begin");
            Raw.command(client, "insert into it_copy_left values (0)");
            client.query("copy it_copy_left from stdin");
            client.expect('G');
            new Wire().copyData("1\n").terminate().sendTo(client);
            assertEquals("E(ERROR 08P01) E(FATAL 08P01)", Raw.summary(readUntilClosed(client)));
        }
        replacedAndRolledBack(pid);
    }

    @Test
    void terminateDuringACopyStartedByExecute() throws Exception {
        int pid = fixture.poolBackend();
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            new Wire().parse("", "copy it_copy_left from stdin").bind("", "").execute("").sync().sendTo(client);
            assertEquals("12G", Raw.types(List.of(client.read(), client.read(), client.read())));
            new Wire().copyData("1\n").terminate().sendTo(client);
            assertEquals("E(ERROR 08P01) E(FATAL 08P01)", Raw.summary(readUntilClosed(client)));
        }
        replacedAndRolledBack(pid);
    }

    @Test
    void terminatePipelinedBehindTheCopyWhileWaitingForTheServer() throws Exception {
        int pid = fixture.poolBackend();
        try (RawPgClient holder = fixture.proxy().rawLogin(); RawPgClient client = fixture.proxy().rawLogin()) {
            Raw.command(holder, "begin");
            new Wire().query("copy it_copy_left from stdin").copyData("1\n").terminate().sendTo(client);
            Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().clientsWaiting() == 1, "the client to wait");
            Raw.command(holder, "commit");
            assertEquals("G", Raw.types(List.of(client.read())));
            assertEquals("E(ERROR 08P01) E(FATAL 08P01)", Raw.summary(readUntilClosed(client)));
        }
        replacedAndRolledBack(pid);
    }

    @Test
    void terminateRightBehindTheCopyQuery() throws Exception {
        int pid = fixture.poolBackend();
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            assertEquals("1", Raw.queryOne(client, "select 1"));
            new Wire().query("copy it_copy_left from stdin").copyData("1\n").terminate().sendTo(client);
            assertEquals("G", Raw.types(List.of(client.read())));
            assertEquals("E(ERROR 08P01) E(FATAL 08P01)", Raw.summary(readUntilClosed(client)));
        }
        replacedAndRolledBack(pid);
    }

    @Test
    void inSessionModeTheBackendExitsToo() throws Exception {
        try (ProxyFixture session = ProxyFixture.config(cluster).poolSize(1).set("pool_mode", "session").start()) {
            int pid;
            try (RawPgClient client = session.rawLogin()) {
                pid = Raw.pid(client);
                Raw.command(client, "set work_mem = '7MB'");
                client.query("copy it_copy_left from stdin");
                client.expect('G');
                new Wire().copyData("1\n").terminate().sendTo(client);
                assertEquals("E(ERROR 08P01) E(FATAL 08P01)", Raw.summary(readUntilClosed(client)));
            }
            fixture.awaitBackendGone(pid);
            try (RawPgClient next = session.rawLogin()) {
                assertNotEquals(pid, Raw.pid(next), "a new backend serves the next client");
                assertEquals("4MB", Raw.queryOne(next, "show work_mem"));
                assertEquals("0", Raw.queryOne(next, "select count(*) from it_copy_left"));
            }
        }
    }

    /**
     * A client that closes its socket in COPY FROM STDIN (no Terminate) sends nothing the backend could answer:
     * pgmux fails the COPY with CopyFail, rolls back, and the same backend, idle, serves the next client.
     */
    @Test
    void aClientThatDisconnectsDuringCopyHasItsServerReturned() throws Exception {
        int pid = fixture.poolBackend();
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            client.query("copy it_copy_left from stdin");
            client.expect('G');
            new Wire().copyData("1\n").sendTo(client);
        }
        backIdleAndReused(pid);
    }
}
