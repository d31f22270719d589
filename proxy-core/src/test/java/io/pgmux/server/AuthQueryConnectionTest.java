package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.Authentication;
import io.pgmux.protocol.backend.CommandComplete;
import io.pgmux.protocol.backend.DataRow;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.ReadyForQuery;
import io.pgmux.testing.TestChannel;
import io.pgmux.testing.TestLoop;
import io.pgmux.testing.TestLoops;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * auth_query's connection on an in-memory channel and a loop the test runs: it connects on the first lookup, logs
 * in, sends each lookup as Parse/Bind/Execute/Sync with the name as a parameter, pipelines them, answers them in
 * order, and fails what it holds when the connection breaks.
 */
class AuthQueryConnectionTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final String QUERY = "SELECT usename, passwd FROM pg_shadow WHERE usename = $1";

    private final TestLoops loops = new TestLoops(1);
    private final TestLoop loop = loops.get(0);
    private final List<TestChannel> channels = new ArrayList<>();
    private final ServerConnector connector = new ServerConnector(() -> {
        TestChannel channel = new TestChannel();
        channels.add(channel);
        return channel;
    }, Duration.ofSeconds(5), 1 << 20, new DefaultChannelGroup("test", GlobalEventExecutor.INSTANCE));
    private final AuthQueryConnection connection = new AuthQueryConnection(
            new UpstreamTarget("127.0.0.1", 5432, "app", "lookup", "pw", Map.of()), QUERY, loop, connector,
            Duration.ofSeconds(60));

    @AfterEach
    void stop() {
        channels.forEach(TestChannel::releaseOutbound);
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    @Test
    void lookupsWaitForTheLoginThenGoOutPipelinedAndAreAnsweredInOrder() throws Exception {
        CompletableFuture<Optional<String>> alice = connection.lookup("alice");
        CompletableFuture<Optional<String>> nobody = connection.lookup("nobody");
        loops.runAll();
        TestChannel channel = only();
        assertEquals(List.of("startup"), sent(channel));
        assertEquals(AuthQueryConnection.State.CONNECTING, connection.state());

        feed(channel, Authentication.ok(ALLOC), ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        assertEquals(AuthQueryConnection.State.READY, connection.state());
        assertEquals(List.of("P", "B:alice", "E", "S", "P", "B:nobody", "E", "S"), sent(channel));
        assertFalse(alice.isDone());

        feed(channel, parseComplete(), bindComplete(), new DataRow(Arrays.asList("alice", "md5abc")).encode(ALLOC),
                new CommandComplete("SELECT 1").encode(ALLOC), ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        assertEquals(Optional.of("md5abc"), alice.getNow(null));
        assertFalse(nobody.isDone());
        feed(channel, parseComplete(), bindComplete(), new CommandComplete("SELECT 0").encode(ALLOC),
                ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        assertEquals(Optional.empty(), nobody.getNow(null));

        // Once logged in, a lookup goes out at once on the same connection.
        CompletableFuture<Optional<String>> bob = connection.lookup("bob");
        loops.runAll();
        assertEquals(List.of("P", "B:bob", "E", "S"), sent(channel));
        feed(channel, parseComplete(), bindComplete(), new DataRow(Arrays.asList("bob", null)).encode(ALLOC),
                new CommandComplete("SELECT 1").encode(ALLOC), ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        assertEquals(Optional.empty(), bob.getNow(null), "a NULL password is no password");
        assertEquals(1, channels.size());
    }

    @Test
    void theNameIsABindParameterNeverPartOfTheSqlText() {
        String name = "x'; DROP ROLE admin; --";
        connection.lookup(name);
        loops.runAll();
        TestChannel channel = only();
        sent(channel);
        feed(channel, Authentication.ok(ALLOC), ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        List<ByteBuf> out = drain(channel);
        try {
            String parse = out.get(0).toString(StandardCharsets.UTF_8);
            assertTrue(parse.contains(QUERY), parse);
            assertFalse(parse.contains("DROP"), parse);
            assertTrue(out.get(1).toString(StandardCharsets.UTF_8).contains(name));
        } finally {
            out.forEach(ByteBuf::release);
        }
    }

    @Test
    void aQueryErrorFailsItsLookupAloneAndTheNextIsAnswered() throws Exception {
        CompletableFuture<Optional<String>> first = connection.lookup("a");
        CompletableFuture<Optional<String>> second = connection.lookup("b");
        loops.runAll();
        TestChannel channel = only();
        feed(channel, Authentication.ok(ALLOC), ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        feed(channel, ErrorResponse.encode(ALLOC, PgError.error("42P01", "relation \"pg_shadow\" does not exist")),
                ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> first.get(0, TimeUnit.SECONDS));
        assertInstanceOf(LoginFailedException.class, failed.getCause());
        feed(channel, parseComplete(), bindComplete(), new DataRow(Arrays.asList("b", "md5b")).encode(ALLOC),
                new CommandComplete("SELECT 1").encode(ALLOC), ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        assertEquals(Optional.of("md5b"), second.getNow(null));
    }

    @Test
    void aBrokenConnectionFailsWhatItHoldsAndTheNextLookupConnectsAgain() {
        CompletableFuture<Optional<String>> waiting = connection.lookup("a");
        loops.runAll();
        TestChannel first = only();
        loop.run(first::close);
        loops.runAll();
        assertTrue(waiting.isCompletedExceptionally());
        assertEquals(AuthQueryConnection.State.DISCONNECTED, connection.state());

        connection.lookup("b");
        loops.runAll();
        assertEquals(2, channels.size());
        assertNotSame(first, channels.get(1));
        assertEquals(AuthQueryConnection.State.CONNECTING, connection.state());
    }

    @Test
    void aRefusedLoginFailsTheLookupsWithTheServersError() throws Exception {
        CompletableFuture<Optional<String>> waiting = connection.lookup("a");
        loops.runAll();
        feed(only(), ErrorResponse.encode(ALLOC, PgError.fatal(SqlState.INVALID_PASSWORD,
                "password authentication failed for user \"lookup\"")));
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> waiting.get(0, TimeUnit.SECONDS));
        assertInstanceOf(LoginFailedException.class, failed.getCause());
        assertFalse(only().isOpen());
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() {
        connection.lookup("a");
        loops.runAll();
        TestChannel channel = only();
        feed(channel, Authentication.ok(ALLOC), ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        feed(channel, parseComplete(), bindComplete(), new CommandComplete("SELECT 0").encode(ALLOC),
                ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        sent(channel);
        loops.advance(59, TimeUnit.SECONDS);
        loops.runAll();
        assertTrue(channel.isOpen());
        loops.advance(2, TimeUnit.SECONDS);
        loops.runAll();
        assertEquals(List.of("X"), sent(channel));
        assertFalse(channel.isOpen());
        assertEquals(AuthQueryConnection.State.DISCONNECTED, connection.state());
    }

    private TestChannel only() {
        assertEquals(1, channels.size());
        return channels.get(0);
    }

    private void feed(Channel channel, ByteBuf... frames) {
        loop.run(() -> {
            for (ByteBuf each : frames) {
                channel.pipeline().fireChannelRead(each);
            }
            channel.pipeline().fireChannelReadComplete();
        });
        loops.runAll();
    }

    private static ByteBuf parseComplete() {
        return ALLOC.buffer().writeByte('1').writeInt(4);
    }

    private static ByteBuf bindComplete() {
        return ALLOC.buffer().writeByte('2').writeInt(4);
    }

    private static List<ByteBuf> drain(TestChannel channel) {
        List<ByteBuf> out = new ArrayList<>();
        for (Object each = channel.readOutbound(); each != null; each = channel.readOutbound()) {
            out.add((ByteBuf) each);
        }
        return out;
    }

    /** What the connection sent: each message's type, the Bind's parameter, "startup" for the StartupMessage. */
    private static List<String> sent(TestChannel channel) {
        List<String> types = new ArrayList<>();
        for (ByteBuf each : drain(channel)) {
            try {
                while (each.isReadable()) {
                    byte first = each.getByte(each.readerIndex());
                    if (first == 0) {
                        types.add("startup");
                        each.skipBytes(each.readableBytes());
                        continue;
                    }
                    char type = (char) each.readByte();
                    ByteBuf body = each.readSlice(each.readInt() - 4);
                    if (type == 'B') {
                        byte[] bytes = ByteBufUtil.getBytes(body);
                        String text = new String(bytes, StandardCharsets.UTF_8);
                        // portal "", statement "", 0 formats, 1 parameter, its length, the value, 0 formats
                        types.add("B:" + text.substring(2 + 2 + 2 + 4, text.length() - 2));
                    } else {
                        types.add(String.valueOf(type));
                    }
                }
            } finally {
                each.release();
            }
        }
        return types;
    }
}
