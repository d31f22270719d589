package io.pgmux.client;

import io.pgmux.config.PinningPolicy;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.server.ServerConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session state a client creates in transaction mode. SET and RESET run outside a transaction block are kept
 * once the server confirms them (ReadyForQuery, idle, no error in the cycle: an error rolls the cycle's implicit
 * transaction back, SET included) and replayed on the client's next servers. A SET inside a transaction block
 * marks the server dirty, so it is reset before anyone else gets it. State that cannot follow the client pins it
 * to its server until it leaves, or is refused, as the pinning policy says.
 */
final class SessionTracker {
    private static final Logger log = LoggerFactory.getLogger(SessionTracker.class);

    private final SessionParameters parameters;
    private final Map<String, String> startupExtra;
    private final PinningPolicy policy;
    private final Supplier<String> clientName;
    private final List<SessionStatement> pending = new ArrayList<>(1);
    private boolean dirty;
    private String pinReason;

    SessionTracker(SessionParameters parameters, PinningPolicy policy, Supplier<String> clientName) {
        this.parameters = parameters;
        this.startupExtra = parameters.extraSnapshot();
        this.policy = policy;
        this.clientName = clientName;
    }

    /** Looks at what a Query or Parse about to go to {@code server} does to the session. */
    void inspect(ServerConnection server, SessionStatement statement) {
        switch (statement.kind()) {
            case NONE:
                return;
            case PIN:
                pin(statement.name());
                return;
            default:
                if (server.transactionStatus() == TransactionStatus.IDLE) {
                    pending.add(statement);
                } else {
                    dirty = true;
                }
        }
    }

    private void pin(String reason) {
        if (pinReason != null || policy == PinningPolicy.IGNORE) {
            return;
        }
        if (policy == PinningPolicy.ERROR) {
            throw new UnsupportedRequestException(PgError.fatal(SqlState.FEATURE_NOT_SUPPORTED,
                    "pgmux: " + reason + " needs a dedicated server connection, which pinning: error forbids")
                    .withHint("Use pool_mode: session for this user or database, or set pinning: pin."));
        }
        pinReason = reason;
        log.info("client {} pinned to its server: {}", clientName.get(), reason);
    }

    /** A ReadyForQuery came back for the client; confirm or drop the settings of the cycle. */
    void readyForQuery(ServerConnection server, TransactionStatus status, boolean failed) {
        if (pending.isEmpty()) {
            return;
        }
        if (status == TransactionStatus.IDLE && !failed) {
            for (SessionStatement each : pending) {
                apply(server, each);
            }
        } else if (!failed) {
            // The SET opened or joined a transaction block after all; its fate is unknown to pgmux.
            dirty = true;
        }
        pending.clear();
    }

    private void apply(ServerConnection server, SessionStatement statement) {
        switch (statement.kind()) {
            case SET:
                parameters.setByClient(statement.name(), statement.value(), server);
                return;
            case RESET:
                parameters.resetByClient(statement.name(), server);
                return;
            case RESET_ALL:
                parameters.resetAllByClient(startupExtra, server);
                return;
            default:
                throw new IllegalStateException("not a setting: " + statement);
        }
    }

    /** Whether the current server carries settings of unknown fate; clears the mark. */
    boolean takeDirty() {
        boolean result = dirty;
        dirty = false;
        return result;
    }

    /** Why the client is pinned, or null. */
    String pinReason() {
        return pinReason;
    }
}
