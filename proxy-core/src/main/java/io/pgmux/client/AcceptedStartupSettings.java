package io.pgmux.client;

import io.pgmux.pool.PoolKey;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sets of startup settings each pool's database has taken. PostgreSQL fails a login whose startup settings it
 * rejects (42704 for an unknown name, 22023 for a bad value, 42501 for one the user may not set), so a client
 * pgmux greets at once, with no server, must have sent settings known to be good: a set is known once a server of
 * the pool has been aligned to it for a login. Other clients wait for a server to log in with (see
 * {@link ServerLending}). Per pool, as what a user may set is the user's. At most {@link #LIMIT} sets are kept, for
 * the life of the process; a client whose set is not among them logs in through a server each time. Thread-safe.
 */
final class AcceptedStartupSettings {
    /** Sets kept (each shares the client's own map, see {@link io.pgmux.session.SharedStartupSettings}). */
    static final int LIMIT = 4096;

    private record Accepted(PoolKey pool, Map<String, String> settings) {
    }

    private final Set<Accepted> accepted = ConcurrentHashMap.newKeySet();

    /**
     * Whether a login to {@code pool} with these startup settings is known to succeed.
     *
     * @param settings lower-case setting name to value, as the client sent them; none are always accepted
     */
    boolean isAccepted(PoolKey pool, Map<String, String> settings) {
        return settings.isEmpty() || accepted.contains(new Accepted(pool, settings));
    }

    /** A server of {@code pool} took these settings for a login. */
    void accept(PoolKey pool, Map<String, String> settings) {
        if (!settings.isEmpty() && accepted.size() < LIMIT) {
            accepted.add(new Accepted(pool, settings));
        }
    }
}
