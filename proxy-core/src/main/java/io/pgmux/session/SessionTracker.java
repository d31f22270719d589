package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.pgmux.config.PinningPolicy;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.frontend.Bind;
import io.pgmux.protocol.frontend.FunctionCall;
import io.pgmux.protocol.frontend.Parse;
import io.pgmux.server.ServerConnection;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's session state, followed the way PostgreSQL keeps it.
 *
 * <p>Settings: each Query, Parse (and Bind of a statement whose Parse did) is read for what it may do to
 * settings ({@link SessionStatement}). When a transaction cycle may have changed any, pgmux asks the server itself
 * once the cycle is over, before the server can go to anyone else ({@link SettingsReadback}), and what it says
 * becomes the client's session, replayed on its next servers by {@link SessionParameters#alignmentSql}. So a SET
 * in a block that commits lasts, SET LOCAL and rolled-back SETs do not, and role, session authorization and
 * set_config follow the client like any SET. Reported parameters also follow ParameterStatus; a RESET of one the
 * client gave at startup is told to the client as the startup value, as PostgreSQL would.
 *
 * <p>State that cannot follow a client (LISTEN, session advisory locks, temporary tables, cursors WITH HOLD, SQL
 * PREPARE, settings whose names pgmux cannot learn) pins it to its server until it leaves, or is refused, as the
 * pinning policy says. A server whose settings pgmux could not read back is reset completely before anyone else
 * gets it.
 *
 * <p>A client that has its server to itself (pinned, or in session mode) needs none of that, except that a RESET
 * of a setting it gave at startup must still bring back its startup value: for those, only that is tracked.
 */
public final class SessionTracker {
    private static final Logger log = LoggerFactory.getLogger(SessionTracker.class);

    /** Where the client's settings stand against its current server. */
    enum State {
        /** pgmux knows the client's settings. */
        FOLLOWING,
        /** Requests since the last readback may have changed settings: read them back at the next boundary. */
        CHANGED,
        /** A readback is on its way; requests sent meanwhile may change settings again. */
        READING,
        /** The server has settings pgmux could not read: it must be reset completely before it is reused. */
        UNKNOWN,
        /** The client keeps its server until it leaves (transaction mode, pinned). */
        PINNED,
        /** The client has its server to itself (session mode). */
        DEDICATED
    }

    private final SessionParameters parameters;
    private final PinningPolicy policy;
    private final Supplier<String> clientName;
    /** The lexer of the client's event loop, shared with the other sessions there; used on that loop only. */
    private final SqlLexer lexer;
    /** Made at the client's first Parse. */
    private ParsedText parsedText;
    /*
     * Shared empty sets until something goes in, and again once they are cleared: a client that never sends a
     * statement that touches settings keeps none of them.
     */
    /** What requests since the last readback may have done to settings. */
    private Set<String> names = Set.of();
    private Set<String> resetNames = Set.of();
    private boolean resetAll;
    private boolean unnamed;
    /**
     * The startup values RESET in the requests since the server was last idle (all of them after RESET ALL):
     * the server reports its own default for them, which the client must hear as its startup value.
     */
    private Set<String> resetStartupNames = Set.of();
    private boolean resetAllStartupValues;
    /** A request since the client's last ReadyForQuery may have RESET a startup value (see {@link #readyForQuery}). */
    private boolean resetSinceReady;
    /** Statement names (the unnamed one as "") whose Parse may change settings, so that their Binds do. */
    private Map<String, SessionEffects> statementEffects;
    private State state;
    private String pinReason;
    /** The Query just inspected changed settings and may have its readback pipelined behind it. */
    private boolean readBackRightAfter;

    /**
     * @param dedicated whether the client has its server to itself (session mode)
     * @param lexers    the lexers of pgmux's event loops
     * @param loop      the client's event loop, where this session is used
     */
    public SessionTracker(SessionParameters parameters, PinningPolicy policy, Supplier<String> clientName,
            boolean dedicated, SqlLexers lexers, EventExecutor loop) {
        this.lexer = lexers.of(loop);
        this.parameters = parameters;
        this.policy = policy;
        this.clientName = clientName;
        this.state = dedicated ? State.DEDICATED : State.FOLLOWING;
    }

    /**
     * Looks at what a client's Query, Parse, Bind or FunctionCall about to be forwarded does to the session.
     *
     * @throws UnsupportedRequestException when it needs pinning and the policy is {@code error}
     */
    public void inspect(ByteBuf frame) {
        readBackRightAfter = false;
        if (hasServerToItself() && parameters.startupValues(null).isEmpty()) {
            return; // nothing a RESET could take away from it
        }
        byte tag = frame.getByte(frame.readerIndex());
        SessionEffects effects;
        if (tag == FrontendTag.QUERY) {
            effects = SessionStatement.of(frame, frame.readerIndex() + 5, frame.writerIndex() - 1,
                    parameters.standardConformingStrings(), lexer);
        } else if (tag == FrontendTag.PARSE) {
            int start = Parse.queryStart(frame);
            effects = parsedText().effects(frame, start, Parse.queryEnd(frame, start),
                    parameters.standardConformingStrings(), lexer);
        } else if (tag == FrontendTag.BIND && statementEffects != null && !statementEffects.isEmpty()) {
            effects = statementEffects.getOrDefault(Bind.statementName(frame), SessionEffects.NONE);
        } else if (tag == FrontendTag.FUNCTION_CALL) {
            effects = SessionStatement.ofFunctionCall(FunctionCall.functionOid(frame));
        } else {
            return;
        }
        if (effects != SessionEffects.NONE) {
            apply(effects); // throws for a refused one, which is then never prepared: its Binds are not followed
            readBackRightAfter = tag == FrontendTag.QUERY && !effects.transactionControl() && state == State.CHANGED;
        }
        if (tag == FrontendTag.PARSE) {
            rememberStatement(frame, effects);
        }
    }

    /**
     * A Query was forwarded to {@code server}. If it changed settings and is a transaction of its own (the server
     * was idle with nothing outstanding before it, and none of its statements opens or ends a block), the server
     * will be idle after it whatever happens: the readback goes right behind it, in the same round trip, instead
     * of after its answer.
     */
    public void forwarded(ServerConnection server, boolean serverWasIdle, SessionParameters.Tell tell) {
        if (readBackRightAfter) {
            readBackRightAfter = false;
            if (serverWasIdle) {
                readBackIfChanged(server, tell);
            }
        }
    }

    private void rememberStatement(ByteBuf frame, SessionEffects effects) {
        boolean changes = effects.touchesSettings();
        if (!changes && (statementEffects == null || statementEffects.isEmpty())) {
            return;
        }
        String name = Parse.hasStatementName(frame) ? Parse.statementName(frame) : "";
        if (changes) {
            if (statementEffects == null) {
                statementEffects = new HashMap<>();
            }
            statementEffects.put(name, effects);
        } else {
            statementEffects.remove(name);
        }
    }

    private void apply(SessionEffects effects) {
        if (effects.pinReason() != null && state != State.DEDICATED) {
            pin(effects.pinReason());
        }
        if (effects.resetAll() || effects.unnamed()) {
            resetAllStartupValues = true;
            resetSinceReady = true;
        }
        for (String each : effects.resetNames()) {
            if (parameters.startupValue(each) != null) {
                resetStartupNames = withAll(resetStartupNames, Set.of(each));
                resetSinceReady = true;
            }
        }
        if (hasServerToItself()) {
            // Only RESETs matter: they must bring back the startup values (see readBackIfChanged).
            if (effects.resetAll() || effects.unnamed() || resetsAStartupValue(effects)) {
                resetNames = withAll(resetNames, effects.resetNames());
                resetAll |= effects.resetAll() || effects.unnamed();
            }
            return;
        }
        if (!needsReadback(effects)) {
            return;
        }
        names = withAll(names, effects.names());
        resetNames = withAll(resetNames, effects.resetNames());
        resetAll |= effects.resetAll();
        unnamed |= effects.unnamed();
        if (state == State.FOLLOWING) {
            state = State.CHANGED;
        }
    }

    /**
     * Whether the server must be asked: tracked reported parameters follow ParameterStatus, unless one the client
     * gave at startup may have been reset (the server's default is not the client's).
     */
    private boolean needsReadback(SessionEffects effects) {
        if (effects.resetAll() || effects.unnamed()) {
            return true;
        }
        for (String each : effects.names()) {
            if (!SessionParameters.TRACKED.contains(each)) {
                return true;
            }
        }
        return resetsAStartupValue(effects);
    }

    private boolean resetsAStartupValue(SessionEffects effects) {
        for (String each : effects.resetNames()) {
            if (parameters.startupValue(each) != null) {
                return true;
            }
        }
        return false;
    }

    private boolean hasServerToItself() {
        return state == State.PINNED || state == State.DEDICATED;
    }

    private void pin(String reason) {
        if (policy == PinningPolicy.IGNORE) {
            return;
        }
        if (policy == PinningPolicy.ERROR) {
            throw new UnsupportedRequestException(PgError.error(SqlState.FEATURE_NOT_SUPPORTED,
                    "pgmux: " + reason + " needs a dedicated server connection, which pinning: error forbids")
                    .withHint("Use pool_mode: session for this user or database, or set pinning: pin."));
        }
        if (state != State.PINNED) {
            state = State.PINNED;
            pinReason = reason;
            // Its settings stay on its server now; only RESETs of its startup values still need pgmux.
            names = Set.of();
            unnamed = false;
            log.info("client {} pinned to its server: {}", clientName.get(), reason);
        }
    }

    /**
     * The value to tell the client for a reported parameter {@code server} reports while serving it: the client's
     * startup value where a RESET (RESET ALL, DISCARD ALL, SET ... TO DEFAULT) in this cycle took the server back to
     * its own default.
     */
    public String clientValue(ServerConnection server, String name, String value) {
        if (!resetAllStartupValues && resetStartupNames.isEmpty()) {
            return value;
        }
        String key = name.toLowerCase(java.util.Locale.ROOT);
        String own = parameters.startupValue(key);
        if (own == null || !(resetAllStartupValues || resetStartupNames.contains(key))) {
            return value;
        }
        String serverDefault = server.welcomeParameters().get(SessionParameters.canonicalName(server, key));
        return value.equals(serverDefault) ? parameters.reportedStartupValue(key) : value;
    }

    /**
     * The server answered the client's requests with a ReadyForQuery; {@code quiet}: nothing else of the client's is
     * outstanding there. Where those requests RESET settings the client gave at startup inside a transaction block
     * that is still open, the server went back to its own defaults, PostgreSQL to the client's startup values: these
     * are set back now, at session level inside the block, before anything else of the client's reaches the server.
     * So a {@code SHOW} there, a later {@code SET LOCAL} (which ends at the block's end in the startup value), a
     * {@code ROLLBACK} (which undoes the RESET and this together) and the ParameterStatus the server sends from here
     * on are what a direct connection gives. A failed block ('E') did not RESET anything; a block that ended is the
     * boundary's ({@link #atBoundary}). Requests pipelined behind them (not quiet) leave it to the boundary too.
     */
    public void readyForQuery(ServerConnection server, TransactionStatus status, boolean quiet) {
        if (!resetSinceReady) {
            return;
        }
        resetSinceReady = false;
        if (status != TransactionStatus.IN_TRANSACTION || !quiet) {
            return;
        }
        Map<String, String> restore = parameters.startupValues(resetAllStartupValues ? null : resetStartupNames);
        if (restore.isEmpty()) {
            return;
        }
        // From here on the server reports its session values, the startup values among them: a ROLLBACK that takes
        // them back reports what the client had before, which must not be read as a RESET's server default.
        resetStartupNames = Set.of();
        resetAllStartupValues = false;
        String sql = new SettingsReadback(Set.of(), restore, false).restoreSql();
        server.sendInternalQuery(sql, error -> {
            if (error != null) {
                // The block is aborted by it: the client's next statement there fails (25P02), as after its own
                // error, and its ROLLBACK leaves the settings it had before the block.
                log.warn("client {}: could not set its startup settings back on server {} after a RESET: {}",
                        clientName.get(), server.id(), error);
            }
        });
        server.flush();
    }

    /**
     * The server is at a transaction boundary with nothing outstanding. If the cycle may have changed settings,
     * sends the readback; the server must stay with the client until it has answered (and the answer comes back
     * through the server's ReadyForQuery as another boundary).
     *
     * @return whether the server must stay with the client for a readback
     */
    public boolean atBoundary(ServerConnection server, SessionParameters.Tell tell) {
        if (resetAllStartupValues || !resetStartupNames.isEmpty()) {
            // The requests whose ParameterStatus could need a startup value are all answered.
            resetStartupNames = Set.of();
            resetAllStartupValues = false;
        }
        if (hasServerToItself()) {
            if (resetAll || !resetNames.isEmpty()) {
                restoreStartupValues(server, tell);
            }
            return false;
        }
        if (server.takeUnexplainedReports()) {
            changedUnseen();
        }
        return state == State.CHANGED && readBackIfChanged(server, tell);
    }

    /**
     * The server reported a new session_authorization, is_superuser or other untracked session parameter that
     * neither pgmux nor the client's SQL (as read back since) explains: a function changed the session. Like a DO
     * block, the cycle may have changed any setting: role, session authorization and every session-level setting are
     * read back, so the client keeps them on its next servers, as on a direct connection, and the next client gets
     * the server aligned to its own.
     */
    private void changedUnseen() {
        unnamed = true;
        if (state == State.FOLLOWING) {
            state = State.CHANGED;
        }
    }

    private boolean readBackIfChanged(ServerConnection server, SessionParameters.Tell tell) {
        if (state != State.CHANGED) {
            return false;
        }
        Set<String> asked = new LinkedHashSet<>();
        asked.add(SessionParameters.ROLE);
        asked.add(SessionParameters.SESSION_AUTHORIZATION);
        asked.addAll(parameters.extraNames());
        asked.addAll(server.extraSettings().keySet());
        for (String each : names) {
            if (!SessionParameters.TRACKED.contains(each)) {
                asked.add(each);
            }
        }
        Map<String, String> restore = parameters.startupValues(resetAll || unnamed ? null : resetNames);
        asked.addAll(restore.keySet());
        SettingsReadback readback = new SettingsReadback(asked, restore, unnamed);
        SettingsReadback.Answer answer = new SettingsReadback.Answer();
        clearChanges();
        state = State.READING;
        server.sendInternalQuery(readback.sql(), answer::row, error -> readBack(server, readback, answer, error, tell));
        server.flush();
        return true;
    }

    /**
     * For a client with its server to itself: after a RESET of a setting it gave at startup, set the startup value
     * back on the server. Nothing waits for the answer; the server is the client's either way.
     */
    private void restoreStartupValues(ServerConnection server, SessionParameters.Tell tell) {
        Map<String, String> restore = parameters.startupValues(resetAll ? null : resetNames);
        clearChanges();
        if (restore.isEmpty()) {
            return;
        }
        SettingsReadback readback = new SettingsReadback(restore.keySet(), restore, false);
        SettingsReadback.Answer answer = new SettingsReadback.Answer();
        server.sendInternalQuery(readback.sql(), answer::row, error -> {
            if (error != null) {
                log.warn("client {}: could not restore its startup settings on server {}: {}", clientName.get(),
                        server.id(), error);
                return;
            }
            parameters.recordReadback(server, readback.names(), answer.values(), tell);
        });
        server.flush();
    }

    private void readBack(ServerConnection server, SettingsReadback readback, SettingsReadback.Answer answer,
            PgError error, SessionParameters.Tell tell) {
        if (state != State.READING) {
            return; // pinned meanwhile: the server is the client's now
        }
        if (error != null) {
            log.warn("client {}: could not read back its settings from server {}: {}", clientName.get(), server.id(),
                    error);
            state = State.UNKNOWN;
            return;
        }
        parameters.recordReadback(server, readback.names(), answer.values(), tell);
        state = names.isEmpty() && !resetAll && !unnamed ? State.FOLLOWING : State.CHANGED;
    }

    /**
     * Whether the server must be reset completely before it goes back to the pool: it carries settings pgmux
     * could not read. Clears the mark: the caller resets it.
     */
    public boolean takeUnknown() {
        if (state != State.UNKNOWN) {
            return false;
        }
        // What the lost cycles did went with the server's reset; the client keeps what was last read.
        clearChanges();
        state = State.FOLLOWING;
        return true;
    }

    /**
     * Whether a server the client leaves behind in transaction mode holds state that must be reset completely
     * (DISCARD ALL): the client was pinned, or its settings were not read back, or the server reported a change
     * to its session that nothing explains (see {@link #atBoundary}), after the client's last boundary.
     */
    public boolean leavesStateBehind(ServerConnection server) {
        return state != State.FOLLOWING || server.takeUnexplainedReports();
    }

    /** Why the client is pinned, or null. */
    public String pinReason() {
        return pinReason;
    }

    private ParsedText parsedText() {
        if (parsedText == null) {
            parsedText = new ParsedText();
        }
        return parsedText;
    }

    /** {@code set} with {@code more} added; a new set when {@code set} is empty (it may be the shared one). */
    private static Set<String> withAll(Set<String> set, Collection<String> more) {
        if (more.isEmpty()) {
            return set;
        }
        Set<String> result = set.isEmpty() ? new LinkedHashSet<>() : set;
        result.addAll(more);
        return result;
    }

    private void clearChanges() {
        names = Set.of();
        resetNames = Set.of();
        resetAll = false;
        unnamed = false;
    }
}
