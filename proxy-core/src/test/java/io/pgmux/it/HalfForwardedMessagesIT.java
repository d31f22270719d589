package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Messages pass through pgmux in parts when they span reads (a large DataRow to a client, a large CopyData to a
 * server), so either side may hold the first part of a message whose rest is still to come. Nothing of pgmux's
 * own may be written to it then: it would be read as the rest of that message. A client pgmux ends there is
 * closed without its ErrorResponse, as PostgreSQL drops its FATAL when terminated in the middle of a message; a
 * server is not given back, nor sent pgmux's own statements, before the client's message is whole on it.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HalfForwardedMessagesIT {
    /** Larger than every socket buffer and Netty's write buffer on the way: the client holds part of the row. */
    private static final int ROW_BYTES = 32 << 20;

    @RegisterExtension
    static final OneServerFixture fixture = new OneServerFixture("it_half_copy");

    /**
     * KILL_CLIENT while a large row is on its way to a client that reads slowly: the client gets part of the row,
     * then the end of the connection; not one byte of the FATAL 57P01 lands inside the row.
     */
    @Test
    void aClientKilledInsideALargeRowIsClosedWithoutAnErrorInsideIt() {
        try (ProxyFixture.StartupResultAndClient login = fixture.proxy().rawLoginWithResult(Map.of())) {
            RawPgClient client = login.client();
            long before = fixture.bytesSent();
            client.query("select repeat('x', " + ROW_BYTES + ")");
            client.expect('T');
            Await.until(Duration.ofSeconds(20), () -> fixture.bytesSent() - before > 1 << 16,
                    "part of the row forwarded");
            fixture.proxy().server().control().killClient(login.startup().pid());

            byte[] rest = client.readUntilClosed();
            ByteBuffer row = ByteBuffer.wrap(rest);
            assertEquals('D', row.get(), "a DataRow follows the RowDescription");
            int length = row.getInt();
            assertTrue(rest.length < length + 1, "the connection ended inside the row: got " + rest.length
                    + " bytes of " + (length + 1));
            assertEquals(1, row.getShort(), "one column");
            assertEquals(ROW_BYTES, row.getInt(), "the value's length");
            while (row.hasRemaining()) {
                int at = row.position();
                byte each = row.get();
                if (each != 'x') {
                    throw new AssertionError("byte " + at + " of the row is " + each + ", not 'x': something was"
                            + " written inside the row");
                }
            }
        }
        theServerServesTheNextClient();
    }

    /**
     * After an error in COPY FROM STDIN the backend answers ReadyForQuery at once and ignores the CopyData still
     * coming. A client in the middle of such a CopyData keeps its server until the message is whole: given back
     * earlier, the backend would read the next client's Query as that CopyData's rest.
     */
    @Test
    void aServerIsGivenBackOnlyOnceTheClientsCopyDataIsWhole() {
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            client.query("copy it_half_copy from stdin");
            client.expect('G');
            // A row the COPY refuses, then the first part of a CopyData.
            byte[] bad = new Wire().copyData("not a number\n").bytes();
            client.sendRaw(Wire.concat(bad, OneServerFixture.partialCopyData()));
            assertEquals("22P02", client.expect('E').errorField('C'));
            assertEquals('I', client.expect('Z').readyStatus());

            try (RawPgClient next = fixture.proxy().rawLogin()) {
                next.query("select 1");
                Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().clientsWaiting() == 1,
                        "the next client waiting for the only server");
                // The rest of the CopyData, which the backend drops; the server is then free.
                byte[] rest = new byte[OneServerFixture.ANNOUNCED_COPY_BYTES - OneServerFixture.SENT_COPY_BYTES];
                Arrays.fill(rest, (byte) '\n');
                client.sendRaw(rest);
                assertEquals("TDCZ", Raw.types(next.readUntilReady()), "the next client's query ran");
            }
            assertEquals("0", Raw.queryOne(client, "select count(*) from it_half_copy"), "the client goes on");
        }
        theServerServesTheNextClient();
    }

    /** The pool's only server is back, or a new one open, and answers a new client. */
    private static void theServerServesTheNextClient() {
        try (RawPgClient next = fixture.proxy().rawLogin()) {
            assertEquals("1", Raw.queryOne(next, "select 1"));
        }
    }
}
