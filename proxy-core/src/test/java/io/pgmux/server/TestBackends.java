package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.Authentication;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.ReadyForQuery;
import io.pgmux.testing.TestChannel;
import io.pgmux.testing.TestLoop;

/**
 * Plays PostgreSQL for a {@link ServerConnection} on a {@link TestChannel}: accepts its connection, lets it log in
 * or refuses it, and hangs up. The connection runs its real handler and login, so it reports to its pool exactly
 * as over a socket.
 */
public final class TestBackends {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private TestBackends() {
    }

    /** The connect succeeded on {@code loop}: the connection becomes active and sends its StartupMessage. */
    public static TestChannel accept(ServerConnection server, TestLoop loop) {
        TestChannel channel = new TestChannel();
        server.attachChannel(channel);
        channel.pipeline().addLast(new ServerHandler(server, Runnable::run));
        loop.run(() -> loop.register(channel));
        channel.releaseOutbound();
        return channel;
    }

    /** The backend accepts the login: AuthenticationOk, BackendKeyData, ReadyForQuery. */
    public static void logIn(ServerConnection server) {
        feed(server, Authentication.ok(ALLOC), new BackendKeyData((int) server.id(), 42).encode(ALLOC),
                ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
    }

    /** The backend answers a simple Query of pgmux's own (server_check_query, a reset) with success. */
    public static void answerQuery(ServerConnection server) {
        feed(server, ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
    }

    /** The backend refuses the login with {@code error} (FATAL), then closes. */
    public static void refuse(ServerConnection server, PgError error) {
        feed(server, ErrorResponse.encode(ALLOC, error));
        hangUp(server);
    }

    /** The backend goes away: after Terminate, or because it died. */
    public static void hangUp(ServerConnection server) {
        TestChannel channel = (TestChannel) server.channel();
        ((TestLoop) channel.eventLoop()).run(() -> {
            channel.close();
            channel.releaseOutbound();
        });
    }

    /** Drops whatever the connection wrote to its backend. */
    public static void discardOutbound(ServerConnection server) {
        ((TestChannel) server.channel()).releaseOutbound();
    }

    private static void feed(ServerConnection server, ByteBuf... frames) {
        TestChannel channel = (TestChannel) server.channel();
        ((TestLoop) channel.eventLoop()).run(() -> {
            for (ByteBuf each : frames) {
                channel.pipeline().fireChannelRead(each);
            }
            channel.pipeline().fireChannelReadComplete();
            channel.releaseOutbound();
        });
    }
}
