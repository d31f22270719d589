package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmux.codec.MessageRouter;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.PoolMode;
import io.pgmux.pool.ServerPool;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import io.pgmux.session.SessionParameters;
import io.pgmux.session.SessionTracker;

/**
 * When a client gives its server back, and what that asks of the forward path (PgBouncer's {@code pool_mode}):
 * {@link TransactionPooling} at each transaction boundary, with statement names translated so prepared statements
 * follow the client from server to server; {@link SessionPooling} when the client leaves, the server being the
 * client's alone until then. Chosen once per client after authentication.
 */
sealed interface ReleasePolicy permits TransactionPooling, SessionPooling {
    static ReleasePolicy of(PoolMode mode, Channel channel, ServerPool pool, SessionParameters parameters) {
        return mode == PoolMode.TRANSACTION ? new TransactionPooling(channel.alloc(), pool, parameters)
                : new SessionPooling();
    }

    PoolMode mode();

    /** Whether a message of this type is read for what it does to the session before it goes to a server. */
    boolean inspects(byte tag);

    /**
     * Whether the server would skip this message, so it is dropped rather than sent: after a failed message of an
     * extended-protocol batch that pgmux answered for the server, up to the Sync.
     */
    boolean skips(byte tag);

    /** Sends a client message to {@code target}, statement names translated where the policy shares them. */
    void send(ServerConnection target, ByteBuf frame, byte tag);

    /**
     * Forwards a client message to {@code target} inside a run of client bytes, if it can go there as it is: called
     * for a message that arrived whole, is laid out well, and whose effect on the session was read. Answers
     * {@link MessageRouter.Route#PASS} when it goes unchanged (what {@link #send} would do is done, the message
     * noted on the server); {@link MessageRouter.Route#REPLACE_HEAD} when only its beginning changes (then
     * {@link #replaceHead} sends it); {@link MessageRouter.Route#TAKE}, with nothing changed, when it must come whole
     * to {@link #send} (pgmux answers it, or sends something of its own before it).
     */
    MessageRouter.Route forwardInPlace(ServerConnection target, ByteBuf frame, byte tag);

    /**
     * Writes the new beginning of a message {@link #forwardInPlace} answered {@link MessageRouter.Route#REPLACE_HEAD}
     * for, noted on {@code target}; returns the index in {@code frame} where its unchanged rest starts.
     */
    default int replaceHead(ServerConnection target, ByteBuf frame) {
        throw new IllegalStateException(mode() + " pooling replaces no message's head");
    }

    /**
     * Whether a client message must wait until the server has answered everything sent before it, as what it does
     * depends on how that ends (a statement name an earlier batch's error may undo); it then waits among the
     * pending requests until the server is quiet ({@link ServerAnswers#serverReadyForQuery}).
     */
    default boolean waitsForAnswers(ByteBuf frame) {
        return false;
    }

    /** The ErrorResponse {@code frame} as the client gets it (see {@link io.pgmux.server.ServerLink#serverError}). */
    default ByteBuf serverError(PgError error, ByteBuf frame) {
        return frame;
    }

    /**
     * Whether settings a Query may change are followed from server to server (read back after the transaction,
     * set on the client's next server); with a server of its own, the client's settings stay where they are.
     */
    boolean followsSettings();

    /**
     * Whether client statement names map to pgmux's names shared by the pool's clients, so a Parse of a known
     * statement can be answered between transactions with no server.
     */
    boolean sharesStatements();

    /**
     * Between transactions, answers a Parse of a statement pgmux already knows with no server (see
     * {@link NamedStatements#parseWithoutServer}); returns whether it did.
     */
    boolean parseWithoutServer(ByteBuf frame, Channel client);

    /** Whether a server with nothing outstanding and no transaction open goes back to the pool. */
    boolean releasesAtBoundary();

    /**
     * Prepared statements the client holds under names of its own (SHOW CLIENTS' prepared_statements); 0 where
     * pgmux does not track them (session mode: they live on the client's own server). On the client's loop.
     */
    default int preparedStatements() {
        return 0;
    }

    /**
     * The statements of {@link #preparedStatements}, as pgmux's server-side name to query text (SHOW PREPARED);
     * read at SHOW time, on the client's loop.
     */
    default java.util.Map<String, String> heldStatements() {
        return java.util.Map.of();
    }

    /** The statement to run on the client's {@code server} when the client leaves with it; null for none. */
    String resetQueryOnLeave(SessionTracker session, ServerConnection server, PgmuxConfig config);
}
