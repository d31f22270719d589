package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.backend.Completions;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.frontend.Bind;
import io.pgmux.protocol.frontend.Close;
import io.pgmux.protocol.frontend.Describe;
import io.pgmux.protocol.frontend.Parse;
import io.pgmux.protocol.frontend.Query;
import io.pgmux.server.PreparedOnServer;
import io.pgmux.server.ServerConnection;
import java.util.HashMap;
import java.util.Map;

/**
 * Protocol-level named prepared statements in transaction mode. The client's names map to statements; each
 * statement is prepared on a server, under pgmux's name, the first time a request on that server needs it, in
 * the same round trip as that request. A client's Parse of a statement the server already has, and its Close
 * of a statement, are answered by pgmux; the server keeps the statement for the next client that needs it.
 *
 * <p>What the client sees is what a direct connection would show: the same answers in the same order, the same
 * errors for duplicate or unknown names (and the skipping of the rest of the batch up to Sync that follows
 * them), and DEALLOCATE / DISCARD ALL with their usual effect.
 */
final class NamedStatements {
    private static final String DUPLICATE_PREPARED_STATEMENT = "42P05";
    private static final String INVALID_SQL_STATEMENT_NAME = "26000";

    private final Map<String, Statement> byClientName = new HashMap<>();
    private final ByteBufAllocator alloc;
    private final io.pgmux.pool.ServerPool pool;
    /** pgmux answered an error itself; like the server, it skips the client's messages until Sync. */
    private boolean failedUntilSync;
    /**
     * What an unnamed statement parsed in this batch does to the client's names (DEALLOCATE through the
     * extended protocol, as psycopg sends it), applied if its Execute succeeds.
     */
    private Runnable onExecuteSuccess;

    NamedStatements(ByteBufAllocator alloc, io.pgmux.pool.ServerPool pool) {
        this.alloc = alloc;
        this.pool = pool;
    }

    /**
     * Prepares a named statement without a server, when its text has parsed cleanly on a server of this pool
     * before: the client gets its ParseComplete at once and the statement is prepared where its first Bind
     * lands. This is what lets a client that prepares synchronously (libpq's PQprepare, as pgbench does) go on
     * while every server is held by other clients of the same thread.
     *
     * @return whether the Parse was answered (the caller writes nothing else for it)
     */
    boolean parseWithoutServer(ByteBuf frame, io.netty.channel.Channel client) {
        if (failedUntilSync || !Parse.hasStatementName(frame)) {
            return false;
        }
        String name = Parse.statementName(frame);
        if (byClientName.containsKey(name)) {
            return false;
        }
        Statement statement = Statement.of(Parse.definition(frame));
        if (!pool.isKnownStatement(statement.serverName())) {
            return false;
        }
        byClientName.put(name, statement);
        frame.release();
        client.writeAndFlush(Completions.parseComplete(alloc), client.voidPromise());
        return true;
    }

    /**
     * Whether pgmux refused a message of the client's current extended-protocol batch, so that, as PostgreSQL
     * after an error, it ignores every message of {@code tag} but Sync.
     */
    boolean skipsUntilSync(byte tag) {
        return failedUntilSync && tag != FrontendTag.SYNC;
    }

    /** Sends a client's message to {@code server}, translating statement names on the way. */
    void send(ServerConnection server, ByteBuf frame) {
        byte tag = frame.getByte(frame.readerIndex());
        if (skipsUntilSync(tag)) {
            frame.release();
            return;
        }
        switch (tag) {
            case FrontendTag.PARSE:
                parse(server, frame);
                return;
            case FrontendTag.BIND:
                bind(server, frame);
                return;
            case FrontendTag.DESCRIBE:
                describe(server, frame);
                return;
            case FrontendTag.CLOSE:
                close(server, frame);
                return;
            case FrontendTag.QUERY:
                query(server, frame);
                return;
            case FrontendTag.EXECUTE:
                if (onExecuteSuccess != null) {
                    Runnable effect = onExecuteSuccess;
                    onExecuteSuccess = null;
                    server.sendTracked(frame, ok -> {
                        if (ok) {
                            effect.run();
                        }
                    });
                    return;
                }
                server.sendFromClient(frame);
                return;
            case FrontendTag.SYNC:
                failedUntilSync = false;
                onExecuteSuccess = null;
                server.sendFromClient(frame);
                return;
            default:
                server.sendFromClient(frame);
        }
    }

    private void parse(ServerConnection server, ByteBuf frame) {
        if (!Parse.hasStatementName(frame)) {
            unnamedParse(server, frame);
            return;
        }
        String name = Parse.statementName(frame);
        if (byClientName.containsKey(name)) {
            frame.release();
            fail(server, DUPLICATE_PREPARED_STATEMENT, "prepared statement \"" + name + "\" already exists");
            return;
        }
        Statement statement = Statement.of(Parse.definition(frame));
        frame.release();
        byClientName.put(name, statement);
        if (server.prepared().contains(statement.serverName())) {
            server.fake(Completions.parseComplete(alloc));
            return;
        }
        // The client's own Parse, renamed: its answer goes to the client, and a failure undoes the name.
        prepareOn(server, statement, true, () -> byClientName.remove(name, statement));
    }

    private void bind(ServerConnection server, ByteBuf frame) {
        String name = Bind.statementName(frame);
        if (name.isEmpty()) {
            server.sendFromClient(frame);
            return;
        }
        Statement statement = lookUp(server, name, frame);
        if (statement == null) {
            return;
        }
        ensurePrepared(server, statement);
        ByteBuf renamed = Bind.withStatementName(alloc, frame, statement.serverName());
        frame.release();
        server.sendFromClient(renamed);
    }

    private void describe(ServerConnection server, ByteBuf frame) {
        if (Describe.target(frame) != Describe.STATEMENT || Describe.name(frame).isEmpty()) {
            server.sendFromClient(frame);
            return;
        }
        Statement statement = lookUp(server, Describe.name(frame), frame);
        if (statement == null) {
            return;
        }
        ensurePrepared(server, statement);
        frame.release();
        server.sendFromClient(Describe.encode(alloc, Describe.STATEMENT, statement.serverName()));
    }

    private void close(ServerConnection server, ByteBuf frame) {
        if (Close.target(frame) != Describe.STATEMENT || Close.name(frame).isEmpty()) {
            server.sendFromClient(frame);
            return;
        }
        // Closing a name that does not exist is no error in PostgreSQL either. The name goes at once, so that a
        // Parse of it later in the pipeline finds it free; a Close of a statement no server has stands in for
        // the client's, so its CloseComplete comes from the server, or nothing if the server skips to Sync, and
        // the name comes back.
        String name = Close.name(frame);
        Statement closed = byClientName.remove(name);
        frame.release();
        server.sendTracked(Close.encode(alloc, Describe.STATEMENT, Statement.NEVER_PREPARED), ok -> {
            if (!ok && closed != null) {
                byClientName.putIfAbsent(name, closed);
            }
        });
    }

    private Statement lookUp(ServerConnection server, String name, ByteBuf frame) {
        Statement result = byClientName.get(name);
        if (result == null) {
            frame.release();
            fail(server, INVALID_SQL_STATEMENT_NAME, "prepared statement \"" + name + "\" does not exist");
        }
        return result;
    }

    /** Prepares the statement on the server first, in the same round trip, if it is not there. */
    private void ensurePrepared(ServerConnection server, Statement statement) {
        if (!server.prepared().contains(statement.serverName())) {
            prepareOn(server, statement, false, () -> { });
        }
    }

    /**
     * Prepares {@code statement} on {@code server} under pgmux's name, making room in its LRU and closing a
     * stale plan first. {@code clientsOwn}: the Parse answers the client's own Parse (its ParseComplete is
     * forwarded) rather than being slipped in ahead of a Bind or Describe (its answer swallowed).
     */
    private void prepareOn(ServerConnection server, Statement statement, boolean clientsOwn, Runnable onFailure) {
        PreparedOnServer prepared = server.prepared();
        makeRoom(server);
        closeIfStale(server, statement);
        prepared.add(statement.serverName());
        ByteBuf parse = Parse.encode(alloc, statement.serverName(), statement.definition());
        io.pgmux.server.Outcome outcome = ok -> {
            if (ok) {
                pool.knownStatement(statement.serverName());
            } else {
                prepared.remove(statement.serverName());
                onFailure.run();
            }
        };
        if (clientsOwn) {
            server.sendTracked(parse, outcome);
        } else {
            server.inject(parse, outcome);
        }
    }

    private void makeRoom(ServerConnection server) {
        PreparedOnServer prepared = server.prepared();
        String victim = prepared.evictionCandidate();
        if (victim != null) {
            prepared.remove(victim);
            server.inject(Close.encode(alloc, Describe.STATEMENT, victim), ok -> { });
        }
    }

    private void closeIfStale(ServerConnection server, Statement statement) {
        if (server.prepared().takeStale(statement.serverName())) {
            server.inject(Close.encode(alloc, Describe.STATEMENT, statement.serverName()), ok -> { });
        }
    }

    /** Refuses the client's message with PostgreSQL's error for it; the server fails there too (see refuse). */
    private void fail(ServerConnection server, String sqlState, String message) {
        failedUntilSync = true;
        server.refuse(Describe.encode(alloc, Describe.STATEMENT, Statement.NEVER_PREPARED),
                ErrorResponse.encode(alloc, PgError.error(sqlState, message)));
    }

    // ---- SQL-level DEALLOCATE and DISCARD ALL act on protocol-level statements too ---------------------------

    /** An unnamed Parse may carry DEALLOCATE or DISCARD ALL; the effect on names follows its Execute. */
    private void unnamedParse(ServerConnection server, ByteBuf frame) {
        SqlCommand command = SqlCommand.classify(frame, Parse.queryStart(frame), Parse.queryEnd(frame));
        switch (command.kind()) {
            case DEALLOCATE_ALL:
            case DISCARD_ALL:
                // Whatever the outcome, pgmux can no longer trust what the server holds: re-prepare on next use.
                server.prepared().markAllStale();
                onExecuteSuccess = byClientName::clear;
                server.sendFromClient(frame);
                return;
            case DEALLOCATE:
                Statement statement = byClientName.get(command.argument());
                if (statement == null) {
                    server.sendFromClient(frame);
                    return;
                }
                frame.release();
                ensurePrepared(server, statement);
                String clientName = command.argument();
                onExecuteSuccess = () -> {
                    byClientName.remove(clientName, statement);
                    server.prepared().remove(statement.serverName());
                };
                server.sendFromClient(Parse.encode(alloc, "", unnamedDefinition("DEALLOCATE " + statement.serverName())));
                return;
            default:
                server.sendFromClient(frame);
        }
    }

    private static byte[] unnamedDefinition(String sql) {
        byte[] text = sql.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] result = new byte[text.length + 3];
        System.arraycopy(text, 0, result, 0, text.length);
        return result; // NUL terminator, then int16 0 parameter types
    }

    private void query(ServerConnection server, ByteBuf frame) {
        SqlCommand command = SqlCommand.classify(frame);
        switch (command.kind()) {
            case DEALLOCATE_ALL:
            case DISCARD_ALL:
                server.prepared().markAllStale();
                server.sendTrackedQuery(frame, ok -> {
                    if (ok) {
                        byClientName.clear();
                        server.prepared().clear();
                    }
                });
                return;
            case DEALLOCATE:
                Statement statement = byClientName.get(command.argument());
                if (statement == null) {
                    server.sendFromClient(frame);
                    return;
                }
                frame.release();
                ensurePrepared(server, statement);
                String clientName = command.argument();
                server.sendTrackedQuery(Query.encode(alloc, "DEALLOCATE " + statement.serverName()), ok -> {
                    if (ok) {
                        byClientName.remove(clientName, statement);
                        server.prepared().remove(statement.serverName());
                    }
                });
                return;
            default:
                server.sendFromClient(frame);
        }
    }

    int size() {
        return byClientName.size();
    }
}
