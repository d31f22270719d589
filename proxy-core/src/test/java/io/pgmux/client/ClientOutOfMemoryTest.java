package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pgmux.auth.ScramSecret;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.PoolManager;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.frontend.PasswordMessage;
import io.pgmux.protocol.frontend.StartupMessage;
import io.pgmux.server.ServerConnector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A buffer that cannot be had for a client (direct memory exhausted: Netty throws an {@link OutOfMemoryError})
 * fails that client alone with PostgreSQL's 53200 "out of memory", never the XX000 of an internal error, and closes
 * it; the error's own few bytes come from the same allocator once it has room again. The JVM's text stays in the log.
 */
class ClientOutOfMemoryTest {
    private static final String PASSWORD = "right-password";

    /** Refuses one buffer of at least {@code refuseFrom} bytes, once armed, as an exhausted direct memory would. */
    private static final class ExhaustedOnce extends AbstractByteBufAllocator {
        private final int refuseFrom;
        private boolean armed;

        ExhaustedOnce(int refuseFrom) {
            super(false);
            this.refuseFrom = refuseFrom;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            refuse(initialCapacity);
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private void refuse(int capacity) {
            if (armed && capacity >= refuseFrom) {
                armed = false;
                throw new OutOfMemoryError("Cannot reserve " + capacity + " bytes of direct buffer memory");
            }
        }
    }

    private final EventLoopGroup loops = new DefaultEventLoopGroup(1);
    private final ClientServices services;

    ClientOutOfMemoryTest() {
        String verifier = ScramSecret.fromPassword(PASSWORD).toString();
        String yaml = "auth_type: password\n"
                + "allow_password_without_tls: true\n"
                + "databases:\n  app: {host: 127.0.0.1, port: 1, dbname: app}\n"
                + "users:\n  - {name: alice, password: '" + verifier + "'}\n";
        PgmuxConfig config = ConfigLoader.parse(yaml, "test.yaml", Map.of());
        DefaultChannelGroup channels = new DefaultChannelGroup("test", GlobalEventExecutor.INSTANCE);
        ServerConnector connector = new ServerConnector(NioSocketChannel::new, Duration.ofSeconds(1),
                config.maxMessageSize(), channels);
        services = new ClientServices(config, new PoolManager(config, connector, loops), connector, channels,
                () -> null, Runnable::run);
    }

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    @Test
    void aBufferThatCannotBeHadFailsTheClientWith53200() {
        ExhaustedOnce alloc = new ExhaustedOnce(256);
        EmbeddedChannel channel = new EmbeddedChannel(new ClientChannelInitializer(services));
        channel.config().setAllocator(alloc);
        channel.writeInbound(new StartupMessage(StartupMessage.PROTOCOL_3_0,
                Map.of("user", "alice", "database", "app")).encode(channel.alloc()));
        assertEquals(List.of("R3"), answers(channel, new ArrayList<>()), "the cleartext password request");

        // The first part of a 1000-byte password message: the framer needs a buffer to gather it in.
        byte[] password = new byte[995];
        java.util.Arrays.fill(password, (byte) 'p');
        ByteBuf message = PasswordMessage.encode(UnpooledByteBufAllocator.DEFAULT, password);
        alloc.armed = true;
        channel.writeInbound(message.retainedSlice(0, 100));
        message.release();
        channel.runPendingTasks();

        List<PgError> errors = new ArrayList<>();
        assertEquals(List.of("E53200"), answers(channel, errors));
        PgError error = errors.get(0);
        assertEquals(PgError.FATAL, error.severity());
        assertEquals("out of memory", error.message(), "PostgreSQL's words, not the JVM's");
        assertTrue(error.detail().startsWith("Failed on request of a buffer"), error.detail());
        assertTrue(error.hint().startsWith("Retry later."), error.hint());
        for (String part : new String[] {error.message(), error.detail(), error.hint()}) {
            assertFalse(part.contains("Cannot reserve") || part.contains("direct buffer memory"), part);
        }
        assertFalse(channel.isOpen());
        assertEquals(0, services.clientCount(), "the client is counted out");
        assertFalse(channel.finishAndReleaseAll());
    }

    /** The answers' types (an ErrorResponse's with its SQLSTATE); the errors are added to {@code errors}. */
    private static List<String> answers(EmbeddedChannel channel, List<PgError> errors) {
        return WrittenAnswers.read(channel, errors);
    }
}
