package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.frontend.PasswordMessage;
import io.pgmux.protocol.frontend.StartupMessage;
import io.pgmux.server.ServerConnector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code password} method against a SCRAM verifier derives keys (PBKDF2): the check runs on the login-work
 * executor, never on the event loop, and the login resumes on the loop with its result. The executor here runs
 * only when the test says so, so the test sees the login waiting.
 */
class CleartextOffLoopTest {
    private static final String PASSWORD = "right-password";

    /** Runs nothing until told to. */
    private static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            for (Runnable each = tasks.poll(); each != null; each = tasks.poll()) {
                each.run();
            }
        }
    }

    private final EventLoopGroup loops = new DefaultEventLoopGroup(1);
    private final ManualExecutor work = new ManualExecutor();
    private final ClientServices services;

    CleartextOffLoopTest() {
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
                () -> null, work);
    }

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private EmbeddedChannel login(String database) {
        EmbeddedChannel channel = new EmbeddedChannel(new ClientChannelInitializer(services));
        ByteBuf startup = new StartupMessage(StartupMessage.PROTOCOL_3_0,
                Map.of("user", "alice", "database", database)).encode(channel.alloc());
        startup.skipBytes(0);
        channel.writeInbound(startup);
        assertEquals(List.of("R3"), answers(channel), "the cleartext password request");
        return channel;
    }

    @Test
    void theRightPasswordIsCheckedOffTheLoopThenTheLoginGoesOn() {
        EmbeddedChannel channel = login("nosuchdb");
        channel.writeInbound(PasswordMessage.encode(channel.alloc(), PASSWORD.getBytes(StandardCharsets.UTF_8)));
        channel.runPendingTasks();
        assertEquals(List.of(), answers(channel), "nothing is answered before the check has run");
        assertEquals(1, work.tasks.size(), "the check waits on the login-work executor");

        work.runAll();
        channel.runPendingTasks();
        // Authenticated; then, as PostgreSQL does, the database is checked.
        assertEquals(List.of("R0", "E3D000"), answers(channel));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aWrongPasswordFailsOnlyOnceTheCheckHasRun() {
        EmbeddedChannel channel = login("app");
        channel.writeInbound(PasswordMessage.encode(channel.alloc(), "wrong".getBytes(StandardCharsets.UTF_8)));
        assertTrue(channel.isOpen());
        work.runAll();
        channel.runPendingTasks();
        assertEquals(List.of("E28P01"), answers(channel));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void whatTheClientSendsMeanwhileIsFramedOnlyAfterTheCheck() {
        EmbeddedChannel channel = login("nosuchdb");
        ByteBuf password = PasswordMessage.encode(channel.alloc(), PASSWORD.getBytes(StandardCharsets.UTF_8));
        ByteBuf second = PasswordMessage.encode(channel.alloc(), PASSWORD.getBytes(StandardCharsets.UTF_8));
        channel.writeInbound(Unpooled.wrappedBuffer(password, second));
        channel.runPendingTasks();
        assertEquals(1, work.tasks.size(), "the second password message was not taken for another check");
        assertFalse(channel.config().isAutoRead(), "nothing more is read from the socket meanwhile");

        work.runAll();
        channel.runPendingTasks();
        List<String> answers = answers(channel);
        assertEquals("R0", answers.get(0));
        assertEquals(2, answers.size(), "one error closes the connection: " + answers);
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aClientThatLeavesWhileItsPasswordIsCheckedIsNotAnsweredLater() {
        EmbeddedChannel channel = login("app");
        channel.writeInbound(PasswordMessage.encode(channel.alloc(), PASSWORD.getBytes(StandardCharsets.UTF_8)));
        channel.close();
        work.runAll();
        channel.runPendingTasks();
        assertEquals(List.of(), answers(channel));
        assertEquals(0, services.clientCount());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aFullExecutorRefusesTheLoginWith53300() {
        EmbeddedChannel channel = new EmbeddedChannel();
        ClientServices refusing = new ClientServices(services.config(), services.pools(), null,
                new DefaultChannelGroup("test", GlobalEventExecutor.INSTANCE), () -> null, task -> {
                    throw new java.util.concurrent.RejectedExecutionException("full");
                });
        channel.pipeline().addLast(new ClientChannelInitializer(refusing));
        channel.pipeline().fireChannelActive();
        channel.writeInbound(new StartupMessage(StartupMessage.PROTOCOL_3_0,
                Map.of("user", "alice", "database", "app")).encode(channel.alloc()));
        assertEquals(List.of("R3"), answers(channel));
        channel.writeInbound(PasswordMessage.encode(channel.alloc(), PASSWORD.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("E53300"), answers(channel));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    /** Each message pgmux wrote: 'R' with its auth type, 'E' with its SQLSTATE, else its type. */
    private static List<String> answers(EmbeddedChannel channel) {
        List<String> answers = new ArrayList<>();
        for (ByteBuf each = channel.readOutbound(); each != null; each = channel.readOutbound()) {
            try {
                while (each.isReadable()) {
                    char type = (char) each.readByte();
                    int length = each.readInt();
                    ByteBuf body = each.readSlice(length - 4);
                    if (type == 'R') {
                        answers.add("R" + body.getInt(body.readerIndex()));
                    } else if (type == 'E') {
                        PgError error = ErrorResponse.decode(body);
                        answers.add("E" + error.sqlState());
                    } else {
                        answers.add(String.valueOf(type));
                    }
                }
            } finally {
                each.release();
            }
        }
        assertNull(channel.readInbound());
        return answers;
    }
}
