package io.pgmux.client;

import io.pgmux.pool.PoolKey;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sets of startup settings each pool's database has taken. PostgreSQL fails a login whose startup settings it
 * rejects (42704 for an unknown name, 22023 for a bad value, 42501 for one the user may not set), so a client
 * pgmux greets at once, with no server, must have sent settings known to be good: a set is known once a server of
 * the pool has been aligned to it for a login. Other clients wait for a server to log in with (see
 * {@link ServerLending}). Per pool, as what a user may set is the user's. At most {@link #LIMIT} sets are kept, for
 * the life of the process; a client whose set is not among them logs in through a server each time. Thread-safe.
 *
 * <p>With each set it keeps the reported parameters the database gave other values than the client sent
 * (ParameterStatus: {@code utc} reads {@code UTC}, a DateStyle of one part gets the configured other part,
 * {@code default_transaction_read_only} is the client's), so that a client greeted with no server is told what
 * PostgreSQL would tell it.
 *
 * <p>{@code application_name} is no part of a set: PostgreSQL takes any value (it replaces what is not printable
 * ASCII), and applications that name each connection (host, process, worker) would otherwise make every login a
 * new set that waits for a server while the pool is busy.
 */
final class AcceptedStartupSettings {
    /** Sets kept (each shares the client's own map, see {@link io.pgmux.session.SharedStartupSettings}). */
    static final int LIMIT = 4096;
    private static final String APPLICATION_NAME = "application_name";

    private record Accepted(PoolKey pool, Map<String, String> settings) {
    }

    private final Map<Accepted, Map<String, String>> accepted = new ConcurrentHashMap<>();

    /**
     * Whether a login to {@code pool} with these startup settings is known to succeed.
     *
     * @param settings lower-case setting name to value, as the client sent them; none are always accepted
     */
    boolean isAccepted(PoolKey pool, Map<String, String> settings) {
        return reportedFor(pool, settings) != null;
    }

    /**
     * The reported parameters the database gave another value than the set's for a login with these settings
     * (ParameterStatus name to value), empty when none or no settings; null when the set is not known to succeed.
     */
    Map<String, String> reportedFor(PoolKey pool, Map<String, String> settings) {
        Map<String, String> set = withoutAlwaysTaken(settings);
        return set.isEmpty() ? Map.of() : accepted.get(new Accepted(pool, set));
    }

    /**
     * A server of {@code pool} took these settings for a login, reporting {@code reported} (ParameterStatus name to
     * value) where it holds another value than the client sent; application_name, no part of a set, is left out.
     *
     * @return what is kept for the set ({@link #reportedFor}), one map for every client that sent it; {@code reported}
     *         itself when nothing is kept
     */
    Map<String, String> accept(PoolKey pool, Map<String, String> settings, Map<String, String> reported) {
        Map<String, String> set = withoutAlwaysTaken(settings);
        if (set.isEmpty() || accepted.size() >= LIMIT) {
            return reported;
        }
        Map<String, String> kept = new HashMap<>(reported);
        kept.keySet().removeIf(name -> name.equalsIgnoreCase(APPLICATION_NAME));
        Map<String, String> shared = Map.copyOf(kept);
        Map<String, String> earlier = accepted.putIfAbsent(new Accepted(pool, set), shared);
        return earlier != null ? earlier : shared;
    }

    private static Map<String, String> withoutAlwaysTaken(Map<String, String> settings) {
        if (!settings.containsKey(APPLICATION_NAME)) {
            return settings;
        }
        Map<String, String> rest = new HashMap<>(settings);
        rest.remove(APPLICATION_NAME);
        return rest;
    }
}
