package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.pgmux.admin.AdminSession;

/**
 * A client logged in to the admin console: its messages, CancelRequests quoting its key and the channel's close go
 * to its {@link AdminSession}. It holds no pool and no server.
 */
final class ConsolePhase implements ClientPhase {
    private final AdminSession session;

    ConsolePhase(AdminSession session) {
        this.session = session;
    }

    @Override
    public void frameReceived(ByteBuf frame) {
        session.frameReceived(frame);
    }

    @Override
    public void left(ClientState was) {
        session.channelClosed();
    }

    @Override
    public void cancelRequested() {
        session.cancelRequested();
    }

    @Override
    public void writabilityChanged() {
        session.writabilityChanged();
    }
}
