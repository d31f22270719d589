package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.pgmux.protocol.frontend.PasswordMessage;
import io.pgmux.protocol.frontend.StartupMessage;
import io.pgmux.server.ServerConnector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Key derivations (PBKDF2) run on the login-work executor, never on the event loop, and the login resumes on the
 * loop with their result: the {@code password} method's check against a SCRAM verifier, and the SCRAM secret of a
 * plaintext password from the configuration that no pass has derived yet. The executor here runs only when the test
 * says so, so the test sees the login waiting.
 */
class KeyDerivationOffLoopTest {
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

    KeyDerivationOffLoopTest() {
        services = services("password", ScramSecret.fromPassword(PASSWORD).toString());
    }

    /** Services for user alice with {@code password} (plaintext or a verifier) under {@code authType}. */
    private ClientServices services(String authType, String password) {
        String yaml = "auth_type: " + authType + "\n"
                + "allow_password_without_tls: true\n"
                + "databases:\n  app: {host: 127.0.0.1, port: 1, dbname: app}\n"
                + "users:\n  - {name: alice, password: '" + password + "'}\n";
        PgmuxConfig config = ConfigLoader.parse(yaml, "test.yaml", Map.of());
        DefaultChannelGroup channels = new DefaultChannelGroup("test", GlobalEventExecutor.INSTANCE);
        ServerConnector connector = new ServerConnector(NioSocketChannel::new, Duration.ofSeconds(1),
                config.maxMessageSize(), channels);
        return new ClientServices(config, new PoolManager(config, connector, loops), connector, channels,
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

    private static EmbeddedChannel startup(ClientServices services) {
        EmbeddedChannel channel = new EmbeddedChannel(new ClientChannelInitializer(services));
        channel.writeInbound(new StartupMessage(StartupMessage.PROTOCOL_3_0,
                Map.of("user", "alice", "database", "app")).encode(channel.alloc()));
        return channel;
    }

    @Test
    void aScramLoginBeforeTheSecretIsDerivedWaitsForTheDerivationOffTheLoop() {
        ClientServices scram = services("scram-sha-256", PASSWORD);
        EmbeddedChannel channel = startup(scram);
        assertEquals(List.of(), answers(channel), "no SASL request before the secret is there");
        assertEquals(1, work.tasks.size(), "the derivation waits on the login-work executor");
        assertFalse(channel.config().isAutoRead(), "nothing more is read from the socket meanwhile");

        work.runAll();
        channel.runPendingTasks();
        assertEquals(List.of("R10"), answers(channel), "the SASL request, once derived");
        assertTrue(channel.config().isAutoRead());
        channel.close();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void onceThePassAfterListeningHasDerivedTheSecretsALoginIsAnsweredOnTheLoop() {
        ClientServices scram = services("scram-sha-256", PASSWORD);
        scram.deriveSecrets();
        assertEquals(1, work.tasks.size(), "one pass for every user");
        work.runAll();

        EmbeddedChannel channel = startup(scram);
        assertEquals(List.of("R10"), answers(channel));
        assertEquals(0, work.tasks.size());
        channel.close();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void anMd5LoginAgainstAPlaintextPasswordDerivesNothing() {
        ClientServices md5 = services("md5", PASSWORD);
        EmbeddedChannel channel = startup(md5);
        assertEquals(List.of("R5"), answers(channel));
        assertEquals(0, work.tasks.size());
        channel.close();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aReloadKeepsTheSecretsOfUnchangedPasswordsAndDerivesTheOthersOffTheLoop() {
        ClientServices scram = services("scram-sha-256", PASSWORD);
        scram.deriveSecrets();
        work.runAll();
        scram.reconfigure(services("scram-sha-256", PASSWORD).config());
        assertEquals(1, work.tasks.size(), "the pass after the reload");
        EmbeddedChannel kept = startup(scram);
        assertEquals(List.of("R10"), answers(kept), "an unchanged password's secret is ready at once");

        scram.reconfigure(services("scram-sha-256", "another-password").config());
        EmbeddedChannel changed = startup(scram);
        assertEquals(List.of(), answers(changed), "a changed password's secret is derived first");
        work.runAll();
        changed.runPendingTasks();
        assertEquals(List.of("R10"), answers(changed));
        kept.close();
        changed.close();
        assertFalse(kept.finishAndReleaseAll());
        assertFalse(changed.finishAndReleaseAll());
    }

    /** Each message pgmux wrote: 'R' with its auth type, 'E' with its SQLSTATE, else its type. */
    private static List<String> answers(EmbeddedChannel channel) {
        return WrittenAnswers.read(channel);
    }
}
