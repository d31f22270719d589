package io.pgmux.authquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pgmux.auth.Md5Password;
import io.pgmux.auth.ScramKeys;
import io.pgmux.config.AuthQueryConfig;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.StoredPassword;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.Authentication;
import io.pgmux.protocol.backend.CommandComplete;
import io.pgmux.protocol.backend.DataRow;
import io.pgmux.protocol.backend.ReadyForQuery;
import io.pgmux.server.ServerConnector;
import io.pgmux.testing.TestChannel;
import io.pgmux.testing.TestLoop;
import io.pgmux.testing.TestLoops;
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
 * The lookup of users that are not configured, on in-memory channels and a loop with a clock the test moves: the
 * answer becomes a stored password, answers (none included) are reused for auth_query_cache_ttl, and no lookup
 * database means no such user.
 */
class AuthQueryLookupTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final String HASH = Md5Password.hash("alice", "pw").hash();

    private final TestLoops loops = new TestLoops(1);
    private final TestLoop loop = loops.get(0);
    private final List<TestChannel> channels = new ArrayList<>();
    private final ServerConnector connector = new ServerConnector(() -> {
        TestChannel channel = new TestChannel();
        channels.add(channel);
        return channel;
    }, Duration.ofSeconds(5), 1 << 20, new DefaultChannelGroup("test", GlobalEventExecutor.INSTANCE));
    private final PgmuxConfig config = ConfigLoader.parse("""
            auth_user: lookup
            auth_query_cache_ttl: 30s
            server_tls_sslmode: disable
            databases:
              app: {host: 127.0.0.1, port: 5432}
            users:
              - {name: lookup, password: pw}
            """, "test.yaml", Map.of());
    private final AuthQueryConfig lookup = config.authQuery().orElseThrow();
    private final AuthQueryLookup lookups = new AuthQueryLookup(config, connector, new ScramKeys(), loops.ticker());

    @AfterEach
    void stop() {
        channels.forEach(TestChannel::releaseOutbound);
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private CompletableFuture<Optional<StoredPassword>> find(String user) {
        CompletableFuture<Optional<StoredPassword>> answer = lookups.find(config, lookup, "app", user, loop);
        loops.runAll();
        return answer;
    }

    /** The server answers the one lookup outstanding with {@code password} (null: no row). */
    private void answer(TestChannel channel, String user, String password) {
        List<ByteBuf> frames = new ArrayList<>(List.of(ALLOC.buffer().writeByte('1').writeInt(4),
                ALLOC.buffer().writeByte('2').writeInt(4)));
        if (password != null) {
            frames.add(new DataRow(Arrays.asList(user, password)).encode(ALLOC));
        }
        frames.add(new CommandComplete(password == null ? "SELECT 0" : "SELECT 1").encode(ALLOC));
        frames.add(ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        feed(channel, frames.toArray(new ByteBuf[0]));
    }

    private void feed(TestChannel channel, ByteBuf... frames) {
        loop.run(() -> {
            for (ByteBuf each : frames) {
                channel.pipeline().fireChannelRead(each);
            }
            channel.pipeline().fireChannelReadComplete();
            channel.releaseOutbound();
        });
        loops.runAll();
    }

    private TestChannel loggedIn() {
        TestChannel channel = channels.get(channels.size() - 1);
        feed(channel, Authentication.ok(ALLOC), ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
        return channel;
    }

    @Test
    void anAnswerIsAStoredPasswordAndIsReusedForTheTtl() throws Exception {
        CompletableFuture<Optional<StoredPassword>> first = find("alice");
        TestChannel channel = loggedIn();
        answer(channel, "alice", HASH);
        assertEquals(Optional.of(StoredPassword.parse(HASH)), first.get(0, TimeUnit.SECONDS));

        CompletableFuture<Optional<StoredPassword>> cached = find("alice");
        assertEquals(Optional.of(StoredPassword.parse(HASH)), cached.getNow(null), "answered from the cache");
        assertEquals(null, channel.readOutbound(), "no query for a cached answer");

        loops.advance(31, TimeUnit.SECONDS);
        CompletableFuture<Optional<StoredPassword>> again = find("alice");
        assertEquals(false, again.isDone(), "asked again once the TTL has passed");
        answer(channel, "alice", HASH);
        assertTrue(again.isDone());
        assertEquals(1, channels.size(), "on the same connection");
    }

    @Test
    void noSuchUserIsKeptToo() throws Exception {
        CompletableFuture<Optional<StoredPassword>> first = find("nobody");
        answer(loggedIn(), "nobody", null);
        assertEquals(Optional.empty(), first.get(0, TimeUnit.SECONDS));
        assertEquals(Optional.empty(), find("nobody").getNow(null), "answered from the cache");
    }

    @Test
    void aDamagedVerifierFailsTheLookupAndIsNotKept() {
        CompletableFuture<Optional<StoredPassword>> first = find("carol");
        TestChannel channel = loggedIn();
        answer(channel, "carol", "SCRAM-SHA-256$4096:broken");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> first.get(0, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(!e.getCause().getMessage().contains("broken"), "the value is never repeated");
        assertEquals(false, find("carol").isDone(), "asked again: a failure is not kept");
    }

    @Test
    void aClientDatabaseThatIsNotConfiguredHasNoSuchUser() throws Exception {
        CompletableFuture<Optional<StoredPassword>> answer = lookups.find(config, lookup, "elsewhere", "alice", loop);
        assertEquals(Optional.empty(), answer.get(0, TimeUnit.SECONDS));
        assertEquals(0, channels.size(), "nothing to ask");
    }
}
