package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.codec.MessageRouter;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.CommandComplete;
import io.pgmux.protocol.backend.Completions;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.frontend.Bind;
import io.pgmux.protocol.frontend.Close;
import io.pgmux.protocol.frontend.Describe;
import io.pgmux.protocol.frontend.Parse;
import io.pgmux.protocol.frontend.Query;
import io.pgmux.server.LocalAnswer;
import io.pgmux.server.Outcome;
import io.pgmux.server.PreparedOnServer;
import io.pgmux.server.ServerConnection;
import java.util.HashMap;
import java.util.Map;

/**
 * Prepared statements in transaction mode, where a client's requests go to whichever server is free.
 *
 * <p>Named statements: the client's names map to statements; each is prepared on a server, under pgmux's name,
 * the first time a request on that server needs it, in the same round trip as that request, and shared there by
 * every client that prepares the same text. A server's plan serves a client only if it was made after that
 * client's own Parse; otherwise the statement is prepared there again first, so no client sees "cached plan must
 * not change result type" for a statement it prepared after a schema change.
 *
 * <p>The unnamed statement follows its client across Syncs, until its next unnamed Parse or simple Query: where
 * the client binds or describes it on a server that does not hold it, pgmux parses it there first.
 *
 * <p>What the client sees is what a direct connection would show: the same answers in the same order, the same
 * errors for duplicate or unknown names (the server fails and skips to Sync there too), and DEALLOCATE,
 * DEALLOCATE ALL, DISCARD ALL and Close acting on the names at their place in the stream. A change to the names is
 * made when it is sent and undone if it fails or the server skips it; as PostgreSQL reads what follows a Sync only
 * once the batch before it has run, a message pipelined behind such a Sync that reads the names waits for the
 * server's answers first ({@link #waitsForAnswers}).
 */
public final class NamedStatements {
    /** An empty query text with no parameter types: a statement that prepares in any state but a failed one. */
    private static final byte[] EMPTY_DEFINITION = {0, 0, 0};
    private static final String DUPLICATE_PREPARED_STATEMENT = "42P05";
    private static final String INVALID_SQL_STATEMENT_NAME = "26000";

    /** An empty map's one instance: what a client holds until it names its first statement. */
    private static final Map<String, Statement> NO_NAMES = Map.of();

    /*
     * Made at the first named statement, and the unnamed statement at the first unnamed Parse; then kept, so a
     * transaction allocates nothing. A client that never prepares one holds neither. Any non-empty map is the
     * HashMap, so a removal needs only an emptiness check.
     */
    private Map<String, Statement> byClientName = NO_NAMES;
    private final ByteBufAllocator alloc;
    private final io.pgmux.pool.ServerPool pool;
    private final SessionParameters parameters;
    private UnnamedStatement unnamed;
    /** pgmux refused a message itself; like the server, it skips the client's messages until Sync. */
    private boolean failedUntilSync;
    /**
     * The DEALLOCATE or DISCARD ALL the client's next Execute runs (an unnamed statement of that text was bound,
     * as psycopg does its cache maintenance), or null.
     */
    private SqlCommand boundCommand;
    private Statement boundTarget;
    /** The statement name of the client's last named Bind; made at the first. */
    private LastStatementName lastBound;
    /**
     * Changes to the client's names sent to the server and not answered yet (a named Parse, a Close of a named
     * statement, DEALLOCATE, DEALLOCATE ALL, DISCARD ALL): the names are changed when sent and put back if the
     * change fails or the server skips it.
     */
    private int changesInDoubt;
    /**
     * The oldest of {@link #changesInDoubt} that have a Sync (or a Query outside a batch) sent behind them: an error
     * before that Sync may undo them, and PostgreSQL reads what follows the Sync only after that; so a message after
     * it that reads the client's names waits for their answers ({@link #waitsForAnswers}). The server answers in
     * order, so the change answered is always the oldest in doubt.
     */
    private int changesBehindSync;
    /**
     * Statements whose own Parse failed after a Close, DEALLOCATE, DEALLOCATE ALL or DISCARD ALL pipelined behind it
     * had taken the name away: that change, skipped by the server, must not put them back. Emptied when no change is
     * in doubt.
     */
    private final java.util.List<Statement> failedWhileDropped = new java.util.ArrayList<>(0);
    /**
     * Names a skipped Close or DEALLOCATE could not put back because a Parse of the same name later in the same
     * batch holds them now: the backend skips that Parse too, and its failure puts the dropped statement back.
     * Emptied when no change is in doubt.
     */
    private final java.util.List<Displaced> displaced = new java.util.ArrayList<>(0);

    /** A statement {@code dropped} under {@code name}, to put back when the Parse of {@code holder} fails. */
    private record Displaced(Statement holder, String name, Statement dropped) {
    }

    /** @param parameters the client's settings, which decide what the names in its statements denote */
    public NamedStatements(ByteBufAllocator alloc, io.pgmux.pool.ServerPool pool, SessionParameters parameters) {
        this.alloc = alloc;
        this.pool = pool;
        this.parameters = parameters;
    }

    /** The client's names, writable: made at the first named statement. */
    private Map<String, Statement> namesToWrite() {
        if (byClientName == NO_NAMES) {
            byClientName = new HashMap<>();
        }
        return byClientName;
    }

    /** The client's unnamed statement: made at its first unnamed Parse. */
    private UnnamedStatement unnamedToParse() {
        if (unnamed == null) {
            unnamed = new UnnamedStatement();
        }
        return unnamed;
    }

    private boolean hasUnnamed() {
        return unnamed != null && unnamed.isDefined();
    }

    /**
     * A simple Query or a Close of the unnamed statement goes to {@code server}: it drops the client's unnamed
     * statement when the backend runs it. Call before the message is noted or sent.
     *
     * @return null when the drop needs no answer (the client has no unnamed statement, or nothing before the
     *     message can fail or is outstanding), else the outcome to track the message with: the backend may skip it
     *     after an error in the batch before it, and then the statement stays
     */
    private Outcome unnamedDropSent(ServerConnection server) {
        if (unnamed == null) {
            return null;
        }
        if (server.answersQueryNow() && !unnamed.changesOutstanding()) {
            unnamed.dropped();
            return null;
        }
        unnamed.dropSent();
        return unnamed;
    }

    /** The named statements the client holds now (SHOW CLIENTS' prepared_statements); on the client's loop. */
    public int count() {
        return byClientName.size();
    }

    /**
     * The statements the client holds now, as pgmux's server-side name to query text (SHOW PREPARED); two names
     * of the client for one statement count once. Decoded here, at SHOW time, on the client's loop.
     */
    public Map<String, String> held() {
        Map<String, String> result = new HashMap<>();
        for (Statement each : byClientName.values()) {
            result.computeIfAbsent(each.serverName(), name -> each.queryText());
        }
        return result;
    }

    /**
     * Prepares a named statement without a server, when its text has parsed cleanly on a server of this pool
     * before: the client gets its ParseComplete at once and the statement is prepared where its first Bind
     * lands. This is what lets a client that prepares synchronously (libpq's PQprepare, as pgbench does) go on
     * while every server is held by other clients of the same thread.
     *
     * @return whether the Parse was answered (the caller writes nothing else for it)
     */
    public boolean parseWithoutServer(ByteBuf frame, io.netty.channel.Channel client) {
        if (failedUntilSync || !Parse.hasStatementName(frame)) {
            return false;
        }
        String name = Parse.statementName(frame);
        if (byClientName.containsKey(name)) {
            return false;
        }
        Statement statement = Statement.of(Parse.definition(frame), pool.nextStatementGeneration(),
                parameters.nameResolution());
        if (!pool.isKnownStatement(statement.serverName())) {
            return false;
        }
        namesToWrite().put(name, statement);
        frame.release();
        client.writeAndFlush(Completions.parseComplete(alloc), client.voidPromise());
        return true;
    }

    /**
     * Whether {@code frame} must wait until the server has answered everything sent before it: it reads the client's
     * statement names (a named Parse, Bind, Describe or Close; a DEALLOCATE, DEALLOCATE ALL or DISCARD ALL), and a
     * change to those names is still in doubt behind a Sync. PostgreSQL reads a message after a Sync only once the
     * batch before it has run, so a name that batch's error undoes must be undone before the message is read. Only
     * the answers up to that Sync are waited for, never those of the messages sent after it: the backend may hold
     * those until a Sync that comes behind the waiting message. Cheap while no change is in doubt behind a Sync,
     * which is nearly always.
     */
    public boolean waitsForAnswers(ByteBuf frame) {
        if (changesBehindSync == 0 && !unnamedInDoubt()) {
            return false;
        }
        switch (frame.getByte(frame.readerIndex())) {
            case FrontendTag.PARSE:
                return Parse.hasStatementName(frame) || classify(frame, Parse.queryStart(frame)) != null;
            case FrontendTag.BIND:
                return frame.getByte(Bind.statementNameStart(frame)) != 0 || unnamedInDoubt();
            case FrontendTag.DESCRIBE:
                return Describe.target(frame) == Describe.STATEMENT
                        && (!Describe.namesUnnamed(frame) || unnamedInDoubt());
            case FrontendTag.CLOSE:
                return Close.target(frame) == Describe.STATEMENT && !Describe.namesUnnamed(frame);
            case FrontendTag.QUERY:
                return namesCommand(SqlCommand.classify(frame)) != null;
            default:
                return false;
        }
    }

    /** Whether the unnamed statement's newest change is outstanding behind a Sync (see UnnamedStatement). */
    private boolean unnamedInDoubt() {
        return unnamed != null && unnamed.newestInDoubt();
    }

    /**
     * Undoes the dropping of a name whose drop (Close, DEALLOCATE, DEALLOCATE ALL, DISCARD ALL) failed or was skipped:
     * unless the name was taken again meanwhile, or its statement's own Parse failed after the drop took it.
     */
    private void putBack(String name, Statement statement) {
        if (!failedWhileDropped.contains(statement)) {
            Statement holder = namesToWrite().putIfAbsent(name, statement);
            if (holder != null && holder != statement) {
                displaced.add(new Displaced(holder, name, statement));
            }
        }
    }

    /** A change to the client's names goes to the server: in doubt until {@code outcome} is told. */
    private Outcome inDoubt(Outcome outcome) {
        changesInDoubt++;
        return new Outcome() {
            @Override
            public void done(boolean succeeded) {
                answered();
                outcome.done(succeeded);
                settleIfLast();
            }

            @Override
            public void skipped() {
                answered();
                outcome.skipped();
                settleIfLast();
            }
        };
    }

    private void answered() {
        changesInDoubt--;
        if (changesBehindSync > 0) {
            changesBehindSync--;
        }
    }

    private void settleIfLast() {
        if (changesInDoubt == 0) {
            failedWhileDropped.clear();
            displaced.clear();
        }
    }

    /** A Sync goes to the server: the batch it ends is the last one anything after it must wait for. */
    private void syncSent() {
        failedUntilSync = false;
        boundCommand = null;
        boundTarget = null;
        queryOrSyncSent();
    }

    private void queryOrSyncSent() {
        changesBehindSync = changesInDoubt;
        if (unnamed != null) {
            unnamed.syncSent();
        }
    }

    /**
     * Whether pgmux refused a message of the client's current extended-protocol batch, so that, as PostgreSQL
     * after an error, it ignores every message of {@code tag} but Sync.
     */
    public boolean skipsUntilSync(byte tag) {
        return failedUntilSync && tag != FrontendTag.SYNC;
    }

    /**
     * Forwards a client's extended-protocol message, read where it lies, inside a run of client bytes when it can go
     * to {@code server} as it is, or renamed with a new beginning ({@link #replaceHead}); what {@link #send} would
     * do is then done and the message noted on the server. Nothing is allocated for it in the steady state.
     *
     * @return PASS (gone as it is), REPLACE_HEAD (a Bind of a named statement the server holds a fresh plan of), or
     *     TAKE, with nothing changed, for whatever {@link #send} must see whole: a named Parse, a name pgmux must
     *     refuse, a statement to prepare on the server first, a DEALLOCATE to rename, a message skipped until Sync
     */
    public MessageRouter.Route forwardInPlace(ServerConnection server, ByteBuf frame) {
        byte tag = frame.getByte(frame.readerIndex());
        if (skipsUntilSync(tag) || waitsForAnswers(frame)) {
            return MessageRouter.Route.TAKE;
        }
        switch (tag) {
            case FrontendTag.PARSE:
                return Parse.hasStatementName(frame) ? MessageRouter.Route.TAKE : unnamedParseInPlace(server, frame);
            case FrontendTag.BIND:
                return bindInPlace(server, frame);
            case FrontendTag.DESCRIBE:
                if (Describe.target(frame) == Describe.STATEMENT
                        && (!Describe.namesUnnamed(frame) || !holdsUnnamed(server))) {
                    return MessageRouter.Route.TAKE;
                }
                break;
            case FrontendTag.CLOSE:
                if (Close.target(frame) == Describe.STATEMENT) {
                    if (!Describe.namesUnnamed(frame)) {
                        return MessageRouter.Route.TAKE;
                    }
                    Outcome drop = unnamedDropSent(server);
                    server.prepared().dropUnnamed();
                    if (drop != null) {
                        server.noteTrackedFromClient(drop);
                        return MessageRouter.Route.PASS;
                    }
                }
                break;
            case FrontendTag.EXECUTE:
                if (boundCommand != null) {
                    return MessageRouter.Route.TAKE;
                }
                break;
            case FrontendTag.SYNC:
                syncSent();
                break;
            default:
                return MessageRouter.Route.TAKE;
        }
        server.noteFromClient(tag);
        return MessageRouter.Route.PASS;
    }

    /**
     * Sends the new beginning of a Bind {@link #forwardInPlace} answered REPLACE_HEAD for: its portal and pgmux's
     * name for the statement. Returns the index in {@code frame} where the rest, to go on unchanged, starts.
     */
    public int replaceHead(ServerConnection server, ByteBuf frame) {
        int nameStart = Bind.statementNameStart(frame);
        int nameEnd = Bind.statementNameEnd(frame, nameStart);
        Statement statement = byClientName.get(lastBound.read(frame, nameStart, nameEnd));
        boundCommand = null;
        boundTarget = null;
        server.noteFromClient(FrontendTag.BIND);
        server.sendClientRun(Bind.headWithStatementName(alloc, frame, nameEnd + 1, statement.serverName()));
        return nameEnd + 1;
    }

    private MessageRouter.Route unnamedParseInPlace(ServerConnection server, ByteBuf frame) {
        int start = Parse.queryStart(frame);
        boolean again = unnamed != null && unnamed.target() == null
                && unnamed.sameAs(frame, start, frame.writerIndex());
        SqlCommand command = again ? unnamed.command() : classify(frame, start);
        if (command != null && command.kind() == SqlCommand.Kind.DEALLOCATE
                && byClientName.containsKey(command.argument())) {
            return MessageRouter.Route.TAKE; // renamed to pgmux's name
        }
        UnnamedStatement statement = unnamedToParse();
        long number = again ? statement.parsedAgain(command, null)
                : statement.parsed(frame, start, frame.writerIndex(), command, null);
        server.prepared().unnamedParsed(this, number);
        server.noteTrackedFromClient(statement);
        return MessageRouter.Route.PASS;
    }

    private MessageRouter.Route bindInPlace(ServerConnection server, ByteBuf frame) {
        int nameStart = Bind.statementNameStart(frame);
        if (frame.getByte(nameStart) == 0) {
            if (!holdsUnnamed(server)) {
                return MessageRouter.Route.TAKE;
            }
            boundCommand = unnamed.command();
            boundTarget = unnamed.target();
            server.noteFromClient(FrontendTag.BIND);
            return MessageRouter.Route.PASS;
        }
        Statement statement = byClientName.get(boundName(frame, nameStart, Bind.statementNameEnd(frame, nameStart)));
        if (statement == null || server.prepared().generation(statement.serverName()) < statement.generation()
                || statement.dropsNames() != null) {
            return MessageRouter.Route.TAKE; // refused, prepared there first, or one that drops names
        }
        return MessageRouter.Route.REPLACE_HEAD;
    }

    /** Whether the client has an unnamed statement and the server holds it: a Bind or Describe of it may go. */
    private boolean holdsUnnamed(ServerConnection server) {
        return hasUnnamed() && server.prepared().hasUnnamed(this, unnamed.number());
    }

    private String boundName(ByteBuf frame, int start, int end) {
        if (lastBound == null) {
            lastBound = new LastStatementName();
        }
        return lastBound.read(frame, start, end);
    }

    /** Sends a client's message to {@code server}, translating statement names on the way. */
    public void send(ServerConnection server, ByteBuf frame) {
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
                // PostgreSQL reads what follows a Query once it has run, as after a Sync, and a Query that fails
                // (DISCARD ALL in a transaction block) undoes its change to the names. Behind an open batch it may
                // be skipped instead, if the batch fails; the error that says so comes at once, and ends the wait of
                // what follows. Only a Query sent while the backend is known to skip to a Sync is no boundary: it is
                // skipped, and so is all that follows it up to the Sync, whose answer comes behind it.
                boolean boundary = server.runsQueryUnlessABatchFails();
                query(server, frame);
                if (boundary) {
                    queryOrSyncSent();
                }
                return;
            case FrontendTag.EXECUTE:
                execute(server, frame);
                return;
            case FrontendTag.SYNC:
                syncSent();
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
            // PostgreSQL parses and analyses the text before it finds the name taken (and refuses it in a failed
            // transaction first): the text goes first as the server's unnamed statement, whose error is the
            // client's if it fails; if it parses, the name's 42P05.
            server.prepared().dropUnnamed();
            server.inject(Parse.encode(alloc, "", Parse.definition(frame)), ok -> { });
            frame.release();
            fail(server, DUPLICATE_PREPARED_STATEMENT, "prepared statement \"" + name + "\" already exists");
            return;
        }
        Statement statement = Statement.of(Parse.definition(frame), pool.nextStatementGeneration(),
                parameters.nameResolution());
        frame.release();
        namesToWrite().put(name, statement);
        // The client's own Parse, renamed: its answer goes to the client, and a failure undoes the name. A copy
        // the server already has was planned before this Parse, so it is replaced.
        prepareOn(server, statement, true, () -> {
            if (!byClientName.remove(name, statement)) {
                failedWhileDropped.add(statement); // a Close or DEALLOCATE pipelined behind it took the name
            }
            putBackDisplacedBy(statement);
        });
    }

    /** The Parse of {@code holder} failed: what it displaced ({@link #displaced}) goes back. */
    private void putBackDisplacedBy(Statement holder) {
        for (java.util.Iterator<Displaced> each = displaced.iterator(); each.hasNext(); ) {
            Displaced entry = each.next();
            if (entry.holder() == holder) {
                each.remove();
                putBack(entry.name(), entry.dropped());
            }
        }
    }

    private void bind(ServerConnection server, ByteBuf frame) {
        int nameStart = Bind.statementNameStart(frame);
        if (frame.getByte(nameStart) == 0) {
            if (useUnnamed(server, frame)) {
                boundCommand = unnamed.command();
                boundTarget = unnamed.target();
                server.sendFromClient(frame);
            }
            return;
        }
        boundCommand = null;
        boundTarget = null;
        int nameEnd = Bind.statementNameEnd(frame, nameStart);
        Statement statement = lookUp(server, boundName(frame, nameStart, nameEnd), frame);
        if (statement == null) {
            return;
        }
        ensureFresh(server, statement);
        boundCommand = statement.dropsNames();
        // Only the beginning is new; parameters and result formats go on as they came, in the client's buffer.
        server.noteFromClient(FrontendTag.BIND);
        server.sendClientRun(Bind.headWithStatementName(alloc, frame, nameEnd + 1, statement.serverName()));
        frame.readerIndex(nameEnd + 1);
        server.sendClientRun(frame);
    }

    private void describe(ServerConnection server, ByteBuf frame) {
        if (Describe.target(frame) != Describe.STATEMENT) {
            server.sendFromClient(frame);
            return;
        }
        String name = Describe.name(frame);
        if (name.isEmpty()) {
            if (useUnnamed(server, frame)) {
                server.sendFromClient(frame);
            }
            return;
        }
        Statement statement = lookUp(server, name, frame);
        if (statement == null) {
            return;
        }
        ensureFresh(server, statement);
        frame.release();
        server.sendFromClient(Describe.encode(alloc, Describe.STATEMENT, statement.serverName()));
    }

    private void close(ServerConnection server, ByteBuf frame) {
        if (Close.target(frame) != Describe.STATEMENT) {
            server.sendFromClient(frame);
            return;
        }
        String name = Close.name(frame);
        if (name.isEmpty()) {
            Outcome drop = unnamedDropSent(server);
            server.prepared().dropUnnamed();
            if (drop == null) {
                server.sendFromClient(frame);
            } else {
                server.sendTracked(frame, drop);
            }
            return;
        }
        // Closing a name that does not exist is no error in PostgreSQL either. The name goes at once, so that a
        // Parse of it later in the pipeline finds it free; a Close of a statement no server has stands in for
        // the client's, so its CloseComplete comes from the server, or nothing if the server skips to Sync, and
        // the name comes back.
        Statement closed = byClientName.isEmpty() ? null : byClientName.remove(name);
        frame.release();
        server.sendTracked(Close.encode(alloc, Describe.STATEMENT, Statement.NEVER_PREPARED), inDoubt(ok -> {
            if (!ok && closed != null) {
                putBack(name, closed);
            }
        }));
    }

    private void execute(ServerConnection server, ByteBuf frame) {
        SqlCommand command = boundCommand;
        if (command == null) {
            server.sendFromClient(frame);
            return;
        }
        Statement target = boundTarget;
        boundCommand = null;
        boundTarget = null;
        server.sendTracked(frame, dropNames(server, command, target));
    }

    private Statement lookUp(ServerConnection server, String name, ByteBuf frame) {
        Statement result = byClientName.get(name);
        if (result == null) {
            frame.release();
            fail(server, INVALID_SQL_STATEMENT_NAME, "prepared statement \"" + name + "\" does not exist");
        }
        return result;
    }

    /**
     * Makes sure the server holds a plan of {@code statement} made after the client's Parse of it, preparing it
     * there first, in the same round trip, if not.
     */
    private void ensureFresh(ServerConnection server, Statement statement) {
        if (server.prepared().generation(statement.serverName()) < statement.generation()) {
            prepareOn(server, statement, false, () -> { });
        }
    }

    /**
     * Makes sure the server holds a statement under {@code statement}'s name, for a DEALLOCATE of it to drop. Where
     * it may not, an empty statement is prepared under the name: unlike the statement itself (its table gone, say)
     * it cannot fail to prepare, except in a failed transaction, where PostgreSQL fails the client's DEALLOCATE too.
     * It is marked stale at once, so nothing takes it for the statement: a use of the name prepares that afresh.
     */
    private void ensureExists(ServerConnection server, Statement statement) {
        PreparedOnServer prepared = server.prepared();
        String name = statement.serverName();
        long generation = prepared.generation(name);
        if (generation > PreparedOnServer.STALE) {
            return;
        }
        makeWayFor(server, name);
        prepared.markStale(name);
        server.inject(Parse.encode(alloc, name, EMPTY_DEFINITION), ok -> { });
    }

    /**
     * Prepares {@code statement} on {@code server} under pgmux's name, closing the copy there first if any (older
     * or stale), else making room in its LRU. {@code clientsOwn}: the Parse answers the client's own Parse (its
     * ParseComplete is forwarded) rather than being slipped in ahead of a Bind or Describe (its answer
     * swallowed).
     */
    private void prepareOn(ServerConnection server, Statement statement, boolean clientsOwn, Runnable onFailure) {
        PreparedOnServer prepared = server.prepared();
        String name = statement.serverName();
        boolean closedFirst = makeWayFor(server, name);
        ByteBuf parse = Parse.encode(alloc, name, statement.definition());
        pool.stats().countServerParse();
        Outcome outcome = ok -> {
            if (ok) {
                pool.knownStatement(name);
            } else if (closedFirst) {
                // Stale, not gone: the Close sent ahead of it (of an older copy) may have been skipped with it.
                prepared.markStale(name);
                onFailure.run();
            } else {
                prepared.remove(name);
                onFailure.run();
            }
        };
        if (clientsOwn) {
            server.sendTracked(parse, inDoubt(outcome)); // its failure takes the client's name back
        } else {
            // In doubt too: one that fails (in a failed transaction) leaves the server without the statement, which
            // a Bind behind the next Sync, after a ROLLBACK, must prepare again rather than assume.
            server.inject(parse, inDoubt(outcome));
        }
    }

    /**
     * Before a Parse under pgmux's {@code name} on {@code server}: closes the copy there, if any (older, or stale),
     * else makes room in the server's LRU; then records the Parse.
     *
     * @return whether a Close went ahead of the Parse
     */
    private boolean makeWayFor(ServerConnection server, String name) {
        PreparedOnServer prepared = server.prepared();
        boolean closedFirst = prepared.generation(name) != PreparedOnServer.ABSENT;
        if (closedFirst) {
            server.inject(Close.encode(alloc, Describe.STATEMENT, name), ok -> { });
        } else {
            makeRoom(server);
        }
        prepared.add(name, pool.statementGeneration());
        return closedFirst;
    }

    private void makeRoom(ServerConnection server) {
        PreparedOnServer prepared = server.prepared();
        String victim = prepared.evictionCandidate();
        if (victim != null) {
            prepared.remove(victim);
            server.inject(Close.encode(alloc, Describe.STATEMENT, victim), ok -> { });
        }
    }

    /** Refuses the client's message with PostgreSQL's error for it; the server fails there too (see refuse). */
    private void fail(ServerConnection server, String sqlState, String message) {
        failedUntilSync = true;
        server.refuse(Describe.encode(alloc, Describe.STATEMENT, Statement.NEVER_PREPARED),
                ErrorResponse.encode(alloc, PgError.error(sqlState, message)));
    }

    // ---- the unnamed statement -------------------------------------------------------------------------------

    /**
     * What the query text of the Parse in {@code frame} (starting at {@code start}) does to the client's names.
     * Callers skip it when the unnamed statement's kept definition is the same bytes and was the client's own (not
     * a DEALLOCATE pgmux renamed): its {@link UnnamedStatement#command} holds then.
     */
    private SqlCommand classify(ByteBuf frame, int start) {
        return namesCommand(SqlCommand.classify(frame, start, Parse.queryEnd(frame, start)));
    }

    /**
     * An unnamed Parse replaces the client's unnamed statement. One of DEALLOCATE or DISCARD ALL acts on the
     * client's names when it is executed; a DEALLOCATE of a client's name is renamed to pgmux's.
     */
    private void unnamedParse(ServerConnection server, ByteBuf frame) {
        int start = Parse.queryStart(frame);
        boolean again = unnamed != null && unnamed.target() == null
                && unnamed.sameAs(frame, start, frame.writerIndex());
        SqlCommand command = again ? unnamed.command() : classify(frame, start);
        ByteBuf sent = frame;
        Statement target = null;
        if (command != null && command.kind() == SqlCommand.Kind.DEALLOCATE) {
            target = byClientName.get(command.argument());
            if (target != null) {
                ensureExists(server, target);
                frame.release();
                sent = Parse.encode(alloc, "", unnamedDefinition("DEALLOCATE " + target.serverName()));
                start = Parse.queryStart(sent);
            }
        }
        UnnamedStatement statement = unnamedToParse();
        long number = again && sent == frame ? statement.parsedAgain(command, null)
                : statement.parsed(sent, start, sent.writerIndex(), command, target);
        server.prepared().unnamedParsed(this, number);
        server.sendTracked(sent, statement);
    }

    /**
     * Before a Bind or Describe of the unnamed statement: PostgreSQL's error when the client has none, and never
     * another client's statement; the client's own parsed first where the server does not hold it.
     *
     * @return whether the message may go to the server (else it was released and refused)
     */
    private boolean useUnnamed(ServerConnection server, ByteBuf frame) {
        if (!hasUnnamed()) {
            frame.release();
            fail(server, INVALID_SQL_STATEMENT_NAME, "unnamed prepared statement does not exist");
            return false;
        }
        PreparedOnServer prepared = server.prepared();
        long number = unnamed.number();
        if (!prepared.hasUnnamed(this, number)) {
            // Not a server parse in SHOW STATS: those count named statements pgmux prepares, as PgBouncer's do.
            server.inject(Parse.encode(alloc, "", unnamed.definition()), ok -> {
                if (!ok && prepared.hasUnnamed(this, number)) {
                    prepared.dropUnnamed();
                }
            });
            prepared.unnamedParsed(this, number);
            if (unnamed.target() != null) {
                ensureExists(server, unnamed.target());
            }
        }
        return true;
    }

    /** The command if it acts on the client's names when executed (DEALLOCATE [ALL], DISCARD ALL), else null. */
    private static SqlCommand namesCommand(SqlCommand command) {
        switch (command.kind()) {
            case DEALLOCATE:
            case DEALLOCATE_ALL:
            case DISCARD_ALL:
                return command;
            default:
                return null;
        }
    }

    private static byte[] unnamedDefinition(String sql) {
        byte[] text = sql.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] result = new byte[text.length + 3];
        System.arraycopy(text, 0, result, 0, text.length);
        return result; // NUL terminator, then int16 0 parameter types
    }

    // ---- SQL-level DEALLOCATE and DISCARD ALL act on protocol-level statements too ---------------------------

    private void query(ServerConnection server, ByteBuf frame) {
        Outcome drop = unnamedDropSent(server); // a simple Query drops the unnamed statement
        SqlCommand command = SqlCommand.classify(frame);
        switch (command.kind()) {
            case DEALLOCATE_ALL:
            case DISCARD_ALL:
                server.sendTrackedQuery(frame, both(dropNames(server, command, null), drop));
                return;
            case DEALLOCATE:
                Statement statement = byClientName.get(command.argument());
                if (statement != null) {
                    frame.release();
                    deallocate(server, command.argument(), statement, drop);
                    return;
                }
                break;
            default:
                break;
        }
        if (drop == null) {
            server.sendFromClient(frame);
        } else {
            server.sendTrackedQuery(frame, drop);
        }
    }

    /** An outcome that tells {@code first}, then {@code second} unless null. */
    private static Outcome both(Outcome first, Outcome second) {
        if (second == null) {
            return first;
        }
        return new Outcome() {
            @Override
            public void done(boolean succeeded) {
                first.done(succeeded);
                second.done(succeeded);
            }

            @Override
            public void skipped() {
                first.skipped();
                second.skipped();
            }
        };
    }

    /**
     * A DEALLOCATE Query of one of the client's names, answered by pgmux in its place in the pipeline: the
     * server's copy stays, as it does on a Close, for whichever client parses the statement next. An empty Query
     * stands in for it, which the backend answers in every state, so that nothing prepared there first can fail and
     * leave the backend skipping to a Sync that never comes. The client gets what PostgreSQL answers at that place:
     * in a failed transaction its 25P02, the name kept; else DEALLOCATE. The name goes at once, so that a Parse
     * pipelined after it finds the name free, and comes back if the stand-in is skipped or fails.
     */
    private void deallocate(ServerConnection server, String name, Statement statement, Outcome unnamedDrop) {
        byClientName.remove(name, statement);
        Outcome outcome = inDoubt(ok -> {
            if (!ok) {
                putBack(name, statement);
            }
        });
        server.answerSimple(new LocalAnswer() {
            @Override
            public ByteBuf answer(TransactionStatus status) {
                if (unnamedDrop != null) {
                    unnamedDrop.done(true); // the stand-in Query ran, in a failed transaction too
                }
                if (status == TransactionStatus.FAILED) {
                    outcome.done(false);
                    return ErrorResponse.encode(alloc, PgError.error(SqlState.IN_FAILED_SQL_TRANSACTION,
                            "current transaction is aborted, commands ignored until end of transaction block"));
                }
                outcome.done(true);
                return new CommandComplete("DEALLOCATE").encode(alloc);
            }

            @Override
            public void skipped() {
                outcome.skipped();
                if (unnamedDrop != null) {
                    unnamedDrop.skipped();
                }
            }
        });
    }

    /**
     * What a DEALLOCATE ({@code target} being the statement of the name it drops), DEALLOCATE ALL or DISCARD ALL
     * does to the client's names, applied now, at its place in the stream, so that a Parse pipelined after it
     * finds the names free; the returned outcome puts them back if it fails. The server's copies may be gone
     * either way: they are closed before their next use.
     */
    private Outcome dropNames(ServerConnection server, SqlCommand command, Statement target) {
        if (command.kind() == SqlCommand.Kind.DEALLOCATE) {
            String name = command.argument();
            boolean dropped = target != null && !byClientName.isEmpty() && byClientName.remove(name, target);
            if (target != null) {
                server.prepared().markStale(target.serverName());
            }
            return inDoubt(ok -> {
                if (!ok && dropped) {
                    putBack(name, target);
                }
            });
        }
        server.prepared().markAllStale();
        Map<String, Statement> dropped = byClientName.isEmpty() ? NO_NAMES : new HashMap<>(byClientName);
        if (!dropped.isEmpty()) {
            byClientName.clear();
        }
        return inDoubt(ok -> {
            if (!ok) {
                dropped.forEach(this::putBack);
            }
        });
    }

    /**
     * The ErrorResponse {@code frame} with each of pgmux's statement names in its message (quoted, as PostgreSQL
     * quotes a statement name) replaced by the client's name for that statement, as a direct connection's error
     * would read: "bind message supplies 0 parameters, but prepared statement "s1" requires 1". Of several client
     * names for one statement (the same text prepared twice), the one the client bound last if it is one of them
     * (the Bind that failed, unless the client pipelined Binds of both), else the first found. Returns {@code frame}
     * when the message names none of the client's statements; else releases it.
     */
    public ByteBuf inClientsNames(PgError error, ByteBuf frame) {
        String message = error.message();
        int at = message.indexOf('"' + Statement.NEVER_PREPARED);
        if (at < 0 || byClientName.isEmpty()) {
            return frame;
        }
        StringBuilder renamed = new StringBuilder(message.length());
        int copied = 0;
        for (; at >= 0; at = message.indexOf('"' + Statement.NEVER_PREPARED, at + 1)) {
            int end = message.indexOf('"', at + 1);
            if (end < 0) {
                break;
            }
            String clientName = clientNameOf(message.substring(at + 1, end));
            if (clientName != null) {
                renamed.append(message, copied, at + 1).append(clientName);
                copied = end;
            }
        }
        if (copied == 0) {
            return frame;
        }
        renamed.append(message, copied, message.length());
        ByteBuf result = ErrorResponse.withMessage(alloc, frame, renamed.toString());
        frame.release();
        return result;
    }

    private String clientNameOf(String serverName) {
        if (lastBound != null) {
            Statement last = byClientName.get(lastBound.name());
            if (last != null && last.serverName().equals(serverName)) {
                return lastBound.name();
            }
        }
        for (Map.Entry<String, Statement> each : byClientName.entrySet()) {
            if (each.getValue().serverName().equals(serverName)) {
                return each.getKey();
            }
        }
        return null;
    }

    int size() {
        return byClientName.size();
    }
}
