package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerLink;

/**
 * The requests a client sent before its Terminate, still running on its server after the client closed its socket
 * (a client may send a Query and Terminate and hang up without reading). PostgreSQL reads the Terminate only after
 * running them, committing what they commit, and so does pgmux: they run to their end, their answers go nowhere,
 * and the Terminate acts where it would have. At a ReadyForQuery that leaves the server quiet it is cleaned and
 * goes back to the pool ({@link ServerCleanup#afterClientLeft}); where what follows ends with no ReadyForQuery (an
 * extended-protocol batch with no Sync, a COPY FROM STDIN) the Terminate goes to the backend, which then aborts
 * that and exits, as it would have. Confined to the server's event loop.
 */
final class RequestsBeforeTerminate implements ServerLink {
    private final ServerConnection server;
    private final String resetQuery;
    private final ClientServices services;

    private RequestsBeforeTerminate(ServerConnection server, String resetQuery, ClientServices services) {
        this.server = server;
        this.resetQuery = resetQuery;
        this.services = services;
    }

    /**
     * Whether {@code server}, whose client left after sending Terminate, still runs requests of the client's that a
     * ReadyForQuery will end: they should run to their end.
     */
    static boolean owed(ServerConnection server) {
        return !server.isCopyIn() && server.owesClientReadyForQuery();
    }

    /** Lets {@code server}, unlinked from its departed client, run the client's requests to their end. */
    static void runToTheirEnd(ServerConnection server, String resetQuery, ClientServices services) {
        server.link(new RequestsBeforeTerminate(server, resetQuery, services));
    }

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

    /**
     * Quiet inside a transaction the client left open: cleaned (ROLLBACK) now. Quiet and idle: the router reports the
     * boundary next ({@link #serverAtBoundary}), where the server may go straight to another client.
     */
    @Override
    public void serverReadyForQuery(TransactionStatus status) {
        if (server.isQuiet()) {
            if (!server.isAtBoundary()) {
                done();
            }
        } else if (server.passesTerminate()) {
            terminate();
        }
    }

    /** After the client's last ReadyForQuery, or a query of pgmux's own (a readback) whose is not the client's. */
    @Override
    public void serverAtBoundary() {
        done();
    }

    private void done() {
        server.unlink();
        ServerCleanup.afterClientLeft(server, resetQuery, services, false, false);
    }

    @Override
    public void serverCopyInStarted() {
        if (server.passesTerminate()) {
            terminate();
        }
    }

    private void terminate() {
        server.passTerminate();
        server.flush();
    }

    @Override
    public void serverLost(PgError error) {
        // The backend exited (after the Terminate, or of its own): the pool counts the slot free as for any close.
    }

    @Override
    public boolean clientInsideMessage() {
        return false;
    }

    @Override
    public void serverWritabilityChanged(boolean writable) {
    }
}
