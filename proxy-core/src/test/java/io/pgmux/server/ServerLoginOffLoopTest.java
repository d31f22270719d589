package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.protocol.SqlState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A SCRAM login upstream whose keys are not yet derived derives them on the login work, not on the event loop. */
class ServerLoginOffLoopTest {
    private static final byte[] SALT = "a salt of sixteen".getBytes(StandardCharsets.US_ASCII);

    private final UpstreamTarget target = new UpstreamTarget("127.0.0.1", 5432, "app", "app_user", "secret",
            Map.of());
    /** Login work run by hand, on a thread of its own. */
    private final List<Runnable> work = new ArrayList<>();
    private final List<String> workThreads = new ArrayList<>();
    private final List<Boolean> resumed = new ArrayList<>();
    private final List<LoginFailedException> failures = new ArrayList<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        for (EmbeddedChannel channel : channels) {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aFirstLoginDerivesOffTheLoopAndAnswersWhenTheDerivationIsDone() throws Exception {
        EmbeddedChannel channel = channel();
        ServerLogin login = login(channel);
        String nonce = saslStart(login, channel);

        assertFalse(continueWith(login, nonce, channel));
        assertNull(channel.readOutbound(), "nothing is sent before the keys are derived");
        assertEquals(1, work.size(), "the derivation waits on the login work");

        runWork();
        assertNotEquals(Thread.currentThread().getName(), workThreads.get(0));
        assertNull(channel.readOutbound(), "the answer is sent from the event loop, not from the work thread");
        channel.runPendingTasks();
        assertEquals(List.of(false), resumed);
        ByteBuf answer = channel.readOutbound();
        try {
            assertEquals('p', answer.getByte(0));
            assertTrue(answer.toString(StandardCharsets.UTF_8).contains(",p="), "a client-final-message with a proof");
        } finally {
            answer.release();
        }
    }

    @Test
    void aLaterLoginWithTheSameSaltUsesTheKeptKeysWithoutAHop() throws Exception {
        EmbeddedChannel first = channel();
        ServerLogin firstLogin = login(first);
        continueWith(firstLogin, saslStart(firstLogin, first), first);
        runWork();
        first.runPendingTasks();
        first.releaseOutbound();

        EmbeddedChannel second = channel();
        ServerLogin secondLogin = login(second);
        continueWith(secondLogin, saslStart(secondLogin, second), second);
        assertTrue(work.isEmpty(), "kept keys need no derivation");
        ByteBuf answer = second.readOutbound();
        try {
            assertEquals('p', answer.getByte(0));
        } finally {
            answer.release();
        }
    }

    @Test
    void aChannelClosedDuringTheDerivationGetsNothing() throws Exception {
        EmbeddedChannel channel = channel();
        ServerLogin login = login(channel);
        continueWith(login, saslStart(login, channel), channel);
        channel.close();

        runWork();
        channel.runPendingTasks();
        assertTrue(resumed.isEmpty());
        assertTrue(failures.isEmpty());
        assertNull(channel.readOutbound());
    }

    @Test
    void aFailedDerivationStepFailsTheLoginAsBefore() throws Exception {
        EmbeddedChannel channel = channel();
        ServerLogin login = login(channel);
        saslStart(login, channel);
        // A server nonce that does not extend pgmux's: refused on the login work, reported on the loop.
        continueWith(login, "someone-elses-nonce", channel);
        assertTrue(failures.isEmpty());

        runWork();
        channel.runPendingTasks();
        assertEquals(1, failures.size());
        assertEquals(SqlState.INVALID_PASSWORD, failures.get(0).error().sqlState());
        assertFalse(failures.get(0).retryable());
        assertTrue(failures.get(0).error().message().contains("nonce"), failures.get(0).error().message());
        assertNull(channel.readOutbound());
    }

    @Test
    void fullLoginWorkFailsTheLoginAtOnce() {
        EmbeddedChannel channel = channel();
        ServerLogin login = new ServerLogin(target, Optional.empty(), task -> {
            throw new java.util.concurrent.RejectedExecutionException("full");
        }, channel, step -> resumed.add(step.getAsBoolean()));
        String nonce = saslStart(login, channel);
        LoginFailedException e = org.junit.jupiter.api.Assertions.assertThrows(LoginFailedException.class,
                () -> continueWith(login, nonce, channel));
        assertEquals(SqlState.TOO_MANY_CONNECTIONS, e.error().sqlState());
        assertTrue(e.retryable());
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channels.add(channel);
        return channel;
    }

    private ServerLogin login(EmbeddedChannel channel) {
        return new ServerLogin(target, Optional.empty(), work::add, channel, this::resume);
    }

    private void resume(BooleanSupplier step) {
        try {
            resumed.add(step.getAsBoolean());
        } catch (LoginFailedException e) {
            failures.add(e);
        }
    }

    private void runWork() throws InterruptedException {
        List<Runnable> tasks = new ArrayList<>(work);
        work.clear();
        Thread thread = new Thread(() -> {
            workThreads.add(Thread.currentThread().getName());
            tasks.forEach(Runnable::run);
        }, "login-work-test");
        thread.start();
        thread.join();
    }

    /** AuthenticationSASL; returns the client nonce of the SASLInitialResponse it answers with. */
    private static String saslStart(ServerLogin login, EmbeddedChannel channel) {
        ByteBuf sasl = Unpooled.buffer();
        byte[] mechanisms = "SCRAM-SHA-256\0\0".getBytes(StandardCharsets.US_ASCII);
        sasl.writeByte('R').writeInt(8 + mechanisms.length).writeInt(10).writeBytes(mechanisms);
        try {
            assertFalse(login.handle(sasl, channel.alloc(), channel::writeOutbound));
        } finally {
            sasl.release();
        }
        ByteBuf initial = channel.readOutbound();
        try {
            String text = initial.toString(StandardCharsets.UTF_8);
            return text.substring(text.indexOf("r=") + 2);
        } finally {
            initial.release();
        }
    }

    /** AuthenticationSASLContinue with a server-first-message extending {@code clientNonce}; whether login ended. */
    private static boolean continueWith(ServerLogin login, String clientNonce, EmbeddedChannel channel) {
        ByteBuf frame = saslContinue(clientNonce);
        try {
            return login.handle(frame, channel.alloc(), channel::writeOutbound);
        } finally {
            frame.release();
        }
    }

    private static ByteBuf saslContinue(String clientNonce) {
        byte[] data = ("r=" + clientNonce + "server,s=" + Base64.getEncoder().encodeToString(SALT) + ",i=4096")
                .getBytes(StandardCharsets.US_ASCII);
        ByteBuf frame = Unpooled.buffer();
        frame.writeByte('R').writeInt(8 + data.length).writeInt(11).writeBytes(data);
        return frame;
    }
}
