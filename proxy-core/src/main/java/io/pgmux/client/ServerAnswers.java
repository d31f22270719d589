package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmux.codec.AutoRead;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.ParameterStatus;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerLink;
import io.pgmux.session.SessionParameters;
import io.pgmux.session.SessionTracker;

/**
 * The server side of a pooled session: what the linked server reports, written to the client, and where the
 * server goes back to its pool (at a transaction boundary, as the {@link ReleasePolicy} says). The server's
 * answers arrive as runs of bytes and are written as they are, flushed once per server read burst. Confined to
 * the client's event loop, which the linked server shares.
 */
final class ServerAnswers implements ServerLink {
    private final PooledSession pooled;
    private final ClientConnection client;
    private final Channel channel;
    private final ClientServices services;
    private final SessionParameters parameters;
    private final ReleasePolicy policy;
    private final SessionTracker session;
    private final ClientTimeouts timeouts;
    private final RequestClock clock;
    private final ClientTraffic traffic;
    /** Made once: a method reference made per transaction would be an allocation per transaction. */
    private final SessionParameters.Tell tell = this::tellParameter;

    ServerAnswers(PooledSession pooled, ClientConnection client, ClientServices services,
                  SessionParameters parameters, ReleasePolicy policy, SessionTracker session, ClientTimeouts timeouts,
                  RequestClock clock, ClientTraffic traffic) {
        this.pooled = pooled;
        this.client = client;
        this.channel = client.channel();
        this.services = services;
        this.parameters = parameters;
        this.policy = policy;
        this.session = session;
        this.timeouts = timeouts;
        this.clock = clock;
        this.traffic = traffic;
    }

    @Override
    public void serverMessage(ByteBuf bytes) {
        traffic.sent(bytes);
        channel.write(bytes, channel.voidPromise());
    }

    @Override
    public void serverParameterChanged(String name, String value, ByteBuf frame) {
        String own = session.clientValue(pooled.server(), name, value);
        if (!parameters.reported(name, own)) {
            frame.release();
        } else if (own.equals(value)) {
            traffic.sent(frame);
            channel.write(frame, channel.voidPromise());
        } else {
            frame.release();
            tellParameter(name, own);
        }
    }

    @Override
    public ByteBuf serverError(PgError error, ByteBuf frame) {
        return policy.serverError(error, frame);
    }

    SessionParameters.Tell tell() {
        return tell;
    }

    /** A ParameterStatus of pgmux's own: the client's value where the server's differs. */
    void tellParameter(String name, String value) {
        channel.write(new ParameterStatus(name, value).encode(channel.alloc()), channel.voidPromise());
    }

    @Override
    public void serverReadComplete() {
        channel.flush();
        ServerConnection linked = pooled.server();
        if (linked != null && !channel.isWritable()) {
            linked.setAutoRead(false);
        }
        traffic.count();
    }

    @Override
    public void serverReadyForQuery(TransactionStatus status) {
        long now = System.nanoTime();
        timeouts.readyForQuery(now);
        ServerConnection linked = pooled.server();
        boolean quiet = linked.isQuiet();
        clock.readyForQuery(now, status, quiet);
        session.readyForQuery(linked, status, quiet && !pooled.clientInsideMessage());
        if (pooled.isTerminating() && pooled.pending().isEmpty()) {
            pooled.terminate(); // leaves once no ReadyForQuery of the client's is still to come
        }
    }

    /** What waited for the server's answers ({@link ReleasePolicy#waitsForAnswers}) goes out, if they have come. */
    @Override
    public void serverAnsweredBatch() {
        if (pooled.pending().isEmpty()) {
            return; // nearly always: nothing waits
        }
        ServerConnection linked = pooled.server();
        if (linked != null && !pooled.clientInsideMessage()) {
            pooled.sendHeld(linked);
        }
    }

    /**
     * Nothing outstanding and ReadyForQuery: the server may go back, or run pgmux's readback. Not while part of a
     * client's message is still to reach it (CopyData after a failed COPY, which the backend ignores, may be in
     * the middle of one): the backend would read whatever pgmux or the next client sends as that message's rest.
     * The client's read that completes the message calls again ({@link PooledSession#readComplete}).
     */
    @Override
    public void serverAtBoundary() {
        if (client.state() != ClientState.ACTIVE || pooled.clientInsideMessage()) {
            return;
        }
        if (!pooled.pending().isEmpty()) {
            serverAnsweredBatch(); // what waited for the answers goes out; the server stays for it
            return;
        }
        if (pooled.isTerminating()) {
            // Its Terminate came while pgmux's own readback was outstanding: all it sent is answered now.
            channel.flush();
            client.terminated();
            return;
        }
        ServerConnection linked = pooled.server();
        if (session.atBoundary(linked, tell)) {
            return; // pgmux's readback runs first; its ReadyForQuery calls again
        }
        if (policy.releasesAtBoundary() && session.pinReason() == null) {
            release();
        }
        if (pooled.isDraining()) {
            // The transaction that was running when a graceful shutdown began has ended: its last ReadyForQuery is
            // written, then PostgreSQL's FATAL, before the client can start another (PooledSession#drainStarted).
            client.fail(DrainState.ADMIN_SHUTDOWN);
        }
    }

    private void release() {
        ServerConnection released = pooled.serverGone();
        released.unlink();
        client.transition(ClientState.IDLE);
        // The server's read-complete will no longer reach this client: flush its answer now.
        channel.flush();
        pooled.readWhileUnlinked();
        ServerCleanup.afterTransaction(released, session.takeUnknown(),
                services.config().resetQueryAfterTransaction(), services);
    }

    @Override
    public void serverCopyInStarted() {
        if (pooled.isTerminating() && pooled.pending().isEmpty()) {
            // In COPY FROM STDIN the Terminate goes to the backend, which answers it with its protocol error; with
            // the COPY ended by the client already, it waits for a ReadyForQuery still owed, if any (a Sync sent before
            // the COPY's end was ignored).
            pooled.terminate();
        }
    }

    @Override
    public void serverLost(PgError error) {
        pooled.serverGone();
        if (error == null && pooled.isTerminating()) {
            // The backend read the client's Terminate (or had sent its FATAL) and exited: what it sent is the
            // client's last, then the connection ends as the client asked.
            channel.flush();
            client.terminated();
            return;
        }
        client.fail(error == null ? null : error.withSeverity(PgError.FATAL));
    }

    @Override
    public boolean clientInsideMessage() {
        return pooled.clientInsideMessage();
    }

    @Override
    public void serverWritabilityChanged(boolean writable) {
        if (client.state() == ClientState.ACTIVE) {
            AutoRead.set(channel, writable);
        }
    }
}
