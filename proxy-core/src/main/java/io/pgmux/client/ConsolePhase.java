package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.pgmux.admin.AdminSession;
import io.pgmux.protocol.FrontendTag;

/**
 * A client logged in to the admin console: its messages, CancelRequests quoting its key and the channel's close go
 * to its {@link AdminSession}; its Terminate ends the client connection as any client's does (the disconnection
 * log says so). It holds no pool and no server.
 */
final class ConsolePhase implements ClientPhase {
    private final ClientConnection client;
    private final AdminSession session;

    ConsolePhase(ClientConnection client, AdminSession session) {
        this.client = client;
        this.session = session;
    }

    @Override
    public void frameReceived(ByteBuf frame) {
        if (frame.getByte(frame.readerIndex()) == FrontendTag.TERMINATE) {
            // The client connection ends here, as the session would end it, so that its log says why.
            frame.release();
            client.terminated();
            return;
        }
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
