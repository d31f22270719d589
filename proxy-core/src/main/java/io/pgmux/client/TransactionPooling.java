package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.pgmux.codec.MessageRouter;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.PoolMode;
import io.pgmux.pool.ServerPool;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import io.pgmux.session.NamedStatements;
import io.pgmux.session.SessionParameters;
import io.pgmux.session.SessionTracker;

/**
 * pool_mode transaction: the server goes back at every boundary (ReadyForQuery 'I', nothing outstanding) unless
 * the session is pinned; the client's statement names are translated to pgmux's shared ones.
 */
final class TransactionPooling implements ReleasePolicy {
    private final ByteBufAllocator alloc;
    private final ServerPool pool;
    private final SessionParameters parameters;
    /**
     * Made at the client's first request, then kept (a transaction allocates nothing): a client that never sends
     * one holds no statement bookkeeping.
     */
    private NamedStatements statements;

    TransactionPooling(ByteBufAllocator alloc, ServerPool pool, SessionParameters parameters) {
        this.alloc = alloc;
        this.pool = pool;
        this.parameters = parameters;
    }

    private NamedStatements statements() {
        if (statements == null) {
            statements = new NamedStatements(alloc, pool, parameters);
        }
        return statements;
    }

    @Override
    public int preparedStatements() {
        return statements == null ? 0 : statements.count();
    }

    @Override
    public java.util.Map<String, String> heldStatements() {
        return statements == null ? java.util.Map.of() : statements.held();
    }

    @Override
    public PoolMode mode() {
        return PoolMode.TRANSACTION;
    }

    @Override
    public boolean inspects(byte tag) {
        return tag == FrontendTag.QUERY || tag == FrontendTag.PARSE || tag == FrontendTag.BIND
                || tag == FrontendTag.FUNCTION_CALL;
    }

    @Override
    public void send(ServerConnection target, ByteBuf frame, byte tag) {
        statements().send(target, frame);
    }

    @Override
    public ByteBuf serverError(PgError error, ByteBuf frame) {
        return statements == null ? frame : statements.inClientsNames(error, frame);
    }

    @Override
    public boolean waitsForAnswers(ByteBuf frame) {
        return statements != null && statements.waitsForAnswers(frame);
    }

    @Override
    public MessageRouter.Route forwardInPlace(ServerConnection target, ByteBuf frame, byte tag) {
        return statements().forwardInPlace(target, frame);
    }

    @Override
    public int replaceHead(ServerConnection target, ByteBuf frame) {
        return statements().replaceHead(target, frame);
    }

    @Override
    public boolean skips(byte tag) {
        return statements != null && statements.skipsUntilSync(tag);
    }

    @Override
    public boolean followsSettings() {
        return true;
    }

    @Override
    public boolean sharesStatements() {
        return true;
    }

    @Override
    public boolean parseWithoutServer(ByteBuf frame, Channel client) {
        return statements().parseWithoutServer(frame, client);
    }

    @Override
    public boolean releasesAtBoundary() {
        return true;
    }

    @Override
    public String resetQueryOnLeave(SessionTracker session, ServerConnection server, PgmuxConfig config) {
        if (session.leavesStateBehind(server)) {
            return ServerCleanup.DISCARD_ALL;
        }
        // server_reset_query_always: the reset query runs after every transaction, the last one included.
        return config.resetQueryAfterTransaction();
    }
}
