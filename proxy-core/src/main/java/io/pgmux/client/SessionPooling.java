package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmux.codec.MessageRouter;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.PoolMode;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.server.ServerConnection;
import io.pgmux.session.SessionTracker;

/**
 * pool_mode session: the client keeps its server until it leaves, when {@code server_reset_query} runs; statement
 * names are the client's own, as the server is.
 */
final class SessionPooling implements ReleasePolicy {
    @Override
    public PoolMode mode() {
        return PoolMode.SESSION;
    }

    @Override
    public boolean inspects(byte tag) {
        return tag == FrontendTag.QUERY || tag == FrontendTag.PARSE;
    }

    @Override
    public boolean skips(byte tag) {
        return false;
    }

    @Override
    public boolean followsSettings() {
        return false;
    }

    @Override
    public void send(ServerConnection target, ByteBuf frame, byte tag) {
        target.sendFromClient(frame);
    }

    @Override
    public MessageRouter.Route forwardInPlace(ServerConnection target, ByteBuf frame, byte tag) {
        target.noteFromClient(tag); // the server is the client's own: its names are the client's
        return MessageRouter.Route.PASS;
    }

    @Override
    public boolean sharesStatements() {
        return false;
    }

    @Override
    public boolean parseWithoutServer(ByteBuf frame, Channel client) {
        return false;
    }

    @Override
    public boolean releasesAtBoundary() {
        return false;
    }

    @Override
    public String resetQueryOnLeave(SessionTracker session, ServerConnection server, PgmuxConfig config) {
        return config.serverResetQuery();
    }
}
