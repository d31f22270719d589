package io.pgmux.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pgmux.client.ClientChannelInitializer;
import io.pgmux.client.ClientServices;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.PoolManager;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.server.ServerConnector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * pgmux's real client pipeline (encryption negotiator, startup decoder, framer, client handler) on an
 * EmbeddedChannel, fed a client's bytes in given reads, with the checks every fuzz input must pass: nothing
 * escapes the pipeline, no internal error reaches the client, a FATAL error is followed by the close, the
 * decoders never hold more than their bounds, every buffer is released and the client is counted out again.
 *
 * <p>The configuration has one database and the user {@value #USER}; nothing here opens a connection to a
 * server, since no fuzz input can authenticate.
 */
final class ClientPipeline {
    static final String USER = "app_user";
    /** The StartupMessage limit (PostgreSQL's MAX_STARTUP_PACKET_LENGTH), the most the startup decoder holds. */
    static final int STARTUP_PACKET_LIMIT = 10_000;
    /** The most the framer may hold in a SASL exchange (PG_MAX_SASL_MESSAGE_LENGTH plus the type byte). */
    static final int SASL_LIMIT = 1024 + 1;
    /** ... and while waiting for a cleartext or MD5 password (PG_MAX_AUTH_TOKEN_LENGTH plus the type byte). */
    static final int PASSWORD_LIMIT = 65_535 + 1;

    /** The services of a pgmux whose clients log in with {@code authType}; shared by many inputs. */
    static final class Services implements AutoCloseable {
        final ClientServices services;
        final String authType;
        private final EventLoopGroup loops = new DefaultEventLoopGroup(1);

        Services(String authType) {
            this.authType = authType;
            String yaml = "auth_type: " + authType + "\n"
                    + "allow_password_without_tls: true\n"
                    + "databases:\n  app: {host: 127.0.0.1, port: 1, dbname: app}\n"
                    + "users:\n  - {name: " + USER + ", password: fuzz-secret}\n";
            PgmuxConfig config = ConfigLoader.parse(yaml, "fuzz.yaml", Map.of());
            DefaultChannelGroup channels = new DefaultChannelGroup("fuzz", GlobalEventExecutor.INSTANCE);
            ServerConnector connector = new ServerConnector(NioSocketChannel::new, Duration.ofSeconds(1),
                    config.maxMessageSize(), channels);
            // Login work (the cleartext check) runs inline, so its result reaches the embedded event loop from
            // the loop's own thread and each input plays out the same way every time.
            services = new ClientServices(config, new PoolManager(config, connector, loops), connector, channels,
                    () -> null, Runnable::run);
        }

        /** What the framer may hold while this method's login waits for the client's answer. */
        int loginMessageLimit() {
            return authType.equals("scram-sha-256") ? SASL_LIMIT : PASSWORD_LIMIT;
        }

        @Override
        public void close() {
            loops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** What the client saw: each write of pgmux, as messages, and whether pgmux closed the connection. */
    record Outcome(List<String> answers, List<PgError> errors, boolean closedByPgmux, int buffers) {
    }

    static {
        // Each refused input is logged at INFO by the client handler: tens of thousands of lines per run, which
        // say nothing a failing property would not. Warnings (an internal error) still show.
        System.setProperty("org.slf4j.simpleLogger.log.io.pgmux.client", "warn");
    }

    private ClientPipeline() {
    }

    /** Feeds {@code reads} to a new client connection, then disconnects it, checking the properties above. */
    static Outcome run(Services services, List<byte[]> reads) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel(false, true);
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new ClientChannelInitializer(services.services));
        try {
            channel.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Escapes escapes = new Escapes();
        channel.pipeline().addLast(escapes);
        List<String> answers = new ArrayList<>();
        List<PgError> errors = new ArrayList<>();
        int fed = 0;
        for (byte[] read : reads) {
            if (!channel.isOpen()) {
                break;
            }
            ByteBuf in = alloc.buffer(Math.max(1, read.length)).writeBytes(read);
            channel.writeInbound(in);
            channel.runPendingTasks();
            channel.checkException();
            fed += read.length;
            HeldBytes.Held held = HeldBytes.largest(channel.pipeline());
            int bound = held.decoder().equals("MessageFramer") ? services.loginMessageLimit() : STARTUP_PACKET_LIMIT;
            if (held.bytes() > bound) {
                fail(held.decoder() + " holds " + held.bytes() + " bytes after " + fed + " were sent; bound " + bound);
            }
            readAnswers(channel, answers, errors);
        }
        boolean closedByPgmux = !channel.isOpen();
        channel.close();
        channel.runPendingTasks();
        channel.checkException();
        readAnswers(channel, answers, errors);
        escapes.assertNone();
        // When a closed channel's pipeline is torn down, a decoder hands the bytes it still held to the handlers
        // after it, and with them gone, to the pipeline's tail, which releases them on a real channel and queues
        // them on an embedded one: release them as the real tail would.
        for (Object each = channel.readInbound(); each != null; each = channel.readInbound()) {
            io.netty.util.ReferenceCountUtil.release(each);
        }
        assertFalse(channel.finish(), "messages left in the pipeline after the connection closed");
        alloc.assertAllReleased("after " + reads.size() + " reads, answers " + answers);
        assertEquals(0, services.services.clientCount(), "clients still counted after the connection closed");
        for (PgError each : errors) {
            if (each.sqlState().equals("XX000")) {
                fail("internal error for a client's input: " + each + "; answers " + answers);
            }
            if (each.severity().equals(PgError.FATAL)) {
                assertTrue(closedByPgmux, "FATAL " + each + " but the connection stayed open");
            }
        }
        return new Outcome(answers, errors, closedByPgmux, alloc.count());
    }

    /**
     * The end of the pipeline: the client handler consumes every message and handles every exception, so
     * anything that gets here has escaped it. Recorded with where it came from, and released.
     */
    private static final class Escapes extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final List<Throwable> escaped = new ArrayList<>();

        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            escaped.add(new AssertionError("a " + msg.getClass().getSimpleName() + " of "
                    + (msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes() + " bytes" : msg)
                    + " passed the client handler"));
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            escaped.add(cause);
        }

        void assertNone() {
            if (!escaped.isEmpty()) {
                AssertionError error = new AssertionError(escaped.size() + " escaped the client handler");
                escaped.forEach(error::addSuppressed);
                throw error;
            }
        }
    }

    /** Reads what pgmux wrote: the one-byte answer to an encryption request, or whole backend messages. */
    private static void readAnswers(EmbeddedChannel channel, List<String> answers, List<PgError> errors) {
        for (ByteBuf each = channel.readOutbound(); each != null; each = channel.readOutbound()) {
            try {
                if (each.readableBytes() == 1) {
                    answers.add(String.valueOf((char) each.readByte()));
                    continue;
                }
                while (each.isReadable()) {
                    assertTrue(each.readableBytes() >= 5, "a partial message written to the client");
                    char type = (char) each.readByte();
                    int length = each.readInt();
                    assertTrue(length >= 4 && length - 4 <= each.readableBytes(),
                            "a message written with a wrong length: " + type + " " + length);
                    ByteBuf body = each.readSlice(length - 4);
                    answers.add(String.valueOf(type));
                    if (type == 'E') {
                        errors.add(ErrorResponse.decode(body));
                    }
                }
            } finally {
                each.release();
            }
        }
    }
}
