package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.pgmux.it.ProxyFixture;
import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What one side sends while the other cannot take it is bounded by TCP back-pressure, not kept in pgmux's memory:
 * pgmux stops reading a client whose kept requests pass {@link PendingRequests#MAX_BYTES} while it waits for a
 * server, or whose server's socket is full (the backend is busy and reads nothing), or, with no server, whose own
 * socket is full of what pgmux answered itself; and it stops reading a server whose client's socket is full (a
 * client that does not read its result). Each flood is far larger than the bound
 * asserted on the direct memory pgmux's buffers take, and each ends with everything answered in order once the
 * stalled side moves again.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BackPressureIT {
    private static final int MIB = 1 << 20;
    /** What a flooding client sends, in bytes: four times {@link #BOUND}, and far more than the kernel's buffers. */
    private static final long FLOOD = 64L * MIB;
    /**
     * The most direct memory pgmux may take beyond what it used before a flood: the bound it keeps (a few hundred
     * kB per connection) plus the allocator's chunk granularity and a read buffer or two, with room to spare.
     */
    private static final long BOUND = 16L * MIB;
    /** A Query of 32 kB that returns one row: a padded {@code select 1}. */
    private static final byte[] PADDED_QUERY = paddedQuery(32 * 1024);

    private final PostgresCluster cluster;

    BackPressureIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private static byte[] paddedQuery(int length) {
        byte[] sql = ("select 1 -- " + "x".repeat(length - 18)).getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(sql.length + 6).put((byte) 'Q').putInt(sql.length + 5).put(sql).put((byte) 0)
                .array();
    }

    /** Direct memory taken by the buffers of pgmux's channels (Netty's default allocator), in bytes. */
    private static long directMemoryUsed() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    @Test
    void aClientThatSendsWhileWaitingForAServerIsNoLongerReadOnceItsKeptRequestsPassTheBound() throws Exception {
        try (ProxyFixture pgmux = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient holder = pgmux.rawLogin();
             RawPgClient flooder = pgmux.rawLogin(Map.of("application_name", "flooder"))) {
            holder.query("begin");
            holder.readUntilReady();
            holder.query("select 1");
            holder.readUntilReady(); // the pool's one server is the holder's until it commits
            long before = directMemoryUsed();
            Flood flood = Flood.start(flooder, PADDED_QUERY);

            Channel client = clientChannel(pgmux, "flooder");
            Await.until(Duration.ofSeconds(60), () -> !client.config().isAutoRead() || flood.isDone(),
                    "pgmux stops reading the waiting client (or the whole flood was read)");
            long kept = directMemoryUsed() - before;
            assertTrue(kept < BOUND, "pgmux holds " + kept + " bytes for a client that waits");
            assertTrue(!flood.isDone(), "the flood of " + FLOOD + " bytes was read whole while the client waited");
            assertEquals(ClientState.WAITING, onLoop(pgmux, "flooder", ClientConnection::state));

            holder.query("commit");
            holder.readUntilReady();
            long answered = countReady(flooder, flood, 0);
            assertEquals(flood.messages(), answered, "every kept request is answered");
        }
    }

    @Test
    void aClientWhoseServerReadsNothingIsNoLongerReadOnceTheServerSocketIsFull() throws Exception {
        try (ProxyFixture pgmux = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient holder = pgmux.rawLogin();
             RawPgClient flooder = pgmux.rawLogin(Map.of("application_name", "flooder"))) {
            holder.query("begin");
            holder.readUntilReady();
            holder.query("select pg_advisory_xact_lock(4242)");
            holder.readUntilReady();
            // The flooder's server waits for the lock: its backend reads nothing more meanwhile.
            flooder.query("select pg_advisory_xact_lock(4242)");
            Await.untilChecked(Duration.ofSeconds(10), () -> onLoop(pgmux, "flooder", ClientConnection::state)
                    == ClientState.ACTIVE, "the flooder has its server");
            long before = directMemoryUsed();
            Flood flood = Flood.start(flooder, PADDED_QUERY);

            // Both read on the client's event loop, where they change: the server's socket full, the client not read.
            Await.untilChecked(Duration.ofSeconds(60), () -> flood.isDone() || onLoop(pgmux, "flooder",
                    c -> !c.info().server().channel().isWritable() && !c.channel().config().isAutoRead()),
                    "pgmux stops reading the client of a server that reads nothing (or the whole flood was read)");
            long kept = directMemoryUsed() - before;
            assertTrue(kept < BOUND, "pgmux holds " + kept + " bytes for a server that reads nothing");
            assertTrue(!flood.isDone(), "the flood of " + FLOOD + " bytes was read whole while the server was busy");

            holder.query("commit");
            holder.readUntilReady();
            long answered = countReady(flooder, flood, 1);
            assertEquals(flood.messages() + 1, answered, "the lock's query and every flooded one");
        }
    }

    @Test
    void aServerWhoseClientReadsNothingIsNoLongerReadOnceTheClientSocketIsFull() throws Exception {
        int rows = 200_000;
        try (ProxyFixture pgmux = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient reader = pgmux.rawLogin(Map.of("application_name", "reader"))) {
            long before = directMemoryUsed();
            // About 200 MB of DataRows, which the client does not read for now.
            reader.query("select repeat('x', 1024) from generate_series(1, " + rows + ")");
            Await.untilChecked(Duration.ofSeconds(60), () -> onLoop(pgmux, "reader", c -> c.state() == ClientState.ACTIVE
                    && !c.channel().isWritable() && !c.info().server().channel().config().isAutoRead()),
                    "pgmux stops reading the server of a client whose socket is full");
            long kept = directMemoryUsed() - before;
            assertTrue(kept < BOUND, "pgmux holds " + kept + " bytes for a client that reads nothing");

            reader.expect('T');
            int dataRows = 0;
            BackendMessage message;
            for (message = reader.read(); message.type() == 'D'; message = reader.read()) {
                dataRows++; // counted, not kept: 200 MB
            }
            assertEquals(rows, dataRows, "every DataRow, in order before the end");
            assertEquals("SELECT " + rows, message.commandTag());
            reader.expect('Z');
        }
    }

    @Test
    void aClientThatReadsNothingOfWhatPgmuxAnswersItselfIsNoLongerReadOnceItsSocketIsFull() throws Exception {
        try (ProxyFixture pgmux = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient reader = RawPgClient.connect(pgmux.host(), pgmux.port(), 4096)) {
            reader.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD,
                    Map.of("application_name", "reader"));
            reader.parse("s0", "select 1");
            reader.sync();
            reader.expect('1');
            reader.expect('Z'); // the pool knows the statement now: a Parse of it is answered with no server
            long before = directMemoryUsed();
            // Each pair is answered ParseComplete, ReadyForQuery by pgmux alone: 11 bytes out for 26 in.
            Flood flood = Flood.start(reader, namedParses(2000), 2000, 24L * MIB);

            Await.untilChecked(Duration.ofSeconds(60), () -> flood.isDone() || onLoop(pgmux, "reader",
                    c -> c.state() == ClientState.IDLE && !c.channel().isWritable()
                            && !c.channel().config().isAutoRead()),
                    "pgmux stops reading a client whose socket is full of its own answers (or the flood was read)");
            long kept = directMemoryUsed() - before;
            assertTrue(kept < BOUND, "pgmux holds " + kept + " bytes of its own answers for a client that reads none");
            assertTrue(!flood.isDone(), "the flood of 24 MiB was read whole");
        }
    }

    @Test
    void aConsoleClientThatReadsNothingOfItsAnswersIsNoLongerReadOnceItsSocketIsFull() throws Exception {
        try (ProxyFixture pgmux = ProxyFixture.config(cluster).poolSize(1).user("pgadmin", "admin-secret", null)
                .set("admin", "{users: [pgadmin]}").start();
             RawPgClient console = RawPgClient.connect(pgmux.host(), pgmux.port(), 4096)) {
            console.login("pgadmin", "pgmux", "admin-secret", null);
            long before = directMemoryUsed();
            byte[] sql = "show version".getBytes(StandardCharsets.US_ASCII);
            byte[] show = ByteBuffer.allocate(sql.length + 6).put((byte) 'Q').putInt(sql.length + 5).put(sql)
                    .put((byte) 0).array();
            // Some 90 bytes of answer for each 18 of question.
            Flood flood = Flood.start(console, show, 8L * MIB);

            Await.untilChecked(Duration.ofSeconds(60), () -> flood.isDone() || onLoop(pgmux, "pgadmin",
                    c -> !c.channel().isWritable() && !c.channel().config().isAutoRead()),
                    "pgmux stops reading a console client whose socket is full (or the flood was read)");
            long kept = directMemoryUsed() - before;
            assertTrue(kept < BOUND, "pgmux holds " + kept + " bytes of answers for a console client that reads none");
            assertTrue(!flood.isDone(), "the flood of 8 MiB was read whole");
        }
    }

    /** {@code count} pairs of a Parse of {@code select 1} under a name of its own and a Sync; each name once. */
    private static java.util.function.LongFunction<byte[]> namedParses(int count) {
        return first -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (long i = first; i < first + count; i++) {
                byte[] name = ("s" + (i + 1)).getBytes(StandardCharsets.US_ASCII);
                byte[] sql = "select 1".getBytes(StandardCharsets.US_ASCII);
                ByteBuffer parse = ByteBuffer.allocate(1 + 4 + name.length + 1 + sql.length + 1 + 2);
                parse.put((byte) 'P').putInt(parse.capacity() - 1).put(name).put((byte) 0).put(sql).put((byte) 0)
                        .putShort((short) 0);
                out.writeBytes(parse.array());
                out.writeBytes(new byte[] {'S', 0, 0, 0, 4});
            }
            return out.toByteArray();
        };
    }

    /** The channel of the logged-in client whose application_name is {@code name}. */
    private static Channel clientChannel(ProxyFixture pgmux, String name) throws Exception {
        return onLoop(pgmux, name, ClientConnection::channel);
    }

    /** {@code read} of the client whose application_name (or else user) is {@code name}, on its event loop. */
    private static <T> T onLoop(ProxyFixture pgmux, String name, Function<ClientConnection, T> read)
            throws InterruptedException, ExecutionException {
        List<ClientConnection> all = new ArrayList<>();
        pgmux.server().services().forEachClient(all::add);
        for (ClientConnection each : all) {
            ClientInfo info = each.eventLoop().submit(each::info).get();
            if (name.equals(info.applicationName()) || name.equals(info.user())) {
                return each.eventLoop().submit(() -> read.apply(each)).get();
            }
        }
        throw new AssertionError("no client named " + name);
    }

    /**
     * Reads until the flood is sent and {@code extra} ReadyForQuery beyond one per flooded message have come: returns
     * how many came. An ErrorResponse fails the test.
     */
    private static long countReady(RawPgClient client, Flood flood, int extra) throws Exception {
        long ready = 0;
        while (!flood.isDone() || ready < flood.messages() + extra) {
            BackendMessage message = client.read();
            if (message.type() == 'E') {
                throw new AssertionError("error after " + ready + " answers: " + message);
            }
            if (message.type() == 'Z') {
                ready++;
            }
        }
        flood.join();
        return ready;
    }

    /** A thread that writes {@link #FLOOD} bytes, batch after batch, never reading. */
    private static final class Flood {
        private final CompletableFuture<Void> done;
        private final AtomicLong messages = new AtomicLong();

        /** @param batch the next batch, given how many batches were sent before it; {@code perBatch} in each */
        private Flood(RawPgClient client, java.util.function.LongFunction<byte[]> batch, int perBatch, long total) {
            done = CompletableFuture.runAsync(() -> {
                long sent = 0;
                for (long batches = 0; sent < total; batches++) {
                    byte[] bytes = batch.apply(batches * perBatch);
                    client.sendRaw(bytes);
                    sent += bytes.length;
                    messages.addAndGet(perBatch);
                }
            }, runnable -> {
                Thread thread = new Thread(runnable, "flood");
                thread.setDaemon(true);
                thread.start();
            });
        }

        /** {@code message} over and over, in writes of about 64 kB. */
        static Flood start(RawPgClient client, byte[] message) {
            return start(client, message, FLOOD);
        }

        /** {@code message} over and over, in writes of about 64 kB, {@code total} bytes in all. */
        static Flood start(RawPgClient client, byte[] message, long total) {
            int perWrite = Math.max(1, 64 * 1024 / message.length);
            byte[] batch = new byte[perWrite * message.length];
            for (int i = 0; i < perWrite; i++) {
                System.arraycopy(message, 0, batch, i * message.length, message.length);
            }
            return new Flood(client, first -> batch, perWrite, total);
        }

        /** {@code total} bytes of the batches {@code batches} makes, {@code perBatch} requests in each. */
        static Flood start(RawPgClient client, java.util.function.LongFunction<byte[]> batches, int perBatch,
                           long total) {
            return new Flood(client, batches, perBatch, total);
        }

        boolean isDone() {
            return done.isDone();
        }

        long messages() {
            return messages.get();
        }

        void join() throws Exception {
            done.get(60, TimeUnit.SECONDS);
        }
    }
}
