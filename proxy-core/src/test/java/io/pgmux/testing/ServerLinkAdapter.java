package io.pgmux.testing;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.server.ServerLink;

/**
 * A client link that takes what a server hands it and does nothing with it: each buffer is released, as writing
 * it to a client socket would, and every event is ignored. Tests and benchmarks of the server side extend it and
 * override the calls they watch.
 */
public class ServerLinkAdapter implements ServerLink {
    @Override
    public void serverMessage(ByteBuf bytes) {
        bytes.release();
    }

    @Override
    public void serverParameterChanged(String name, String value, ByteBuf frame) {
        frame.release();
    }

    @Override
    public void serverReadComplete() {
    }

    @Override
    public void serverReadyForQuery(TransactionStatus status) {
    }

    @Override
    public void serverAtBoundary() {
    }

    @Override
    public void serverCopyInStarted() {
    }

    @Override
    public void serverLost(PgError error) {
    }

    @Override
    public boolean clientInsideMessage() {
        return false;
    }

    @Override
    public void serverWritabilityChanged(boolean writable) {
    }
}
