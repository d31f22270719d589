package io.pgmux.authquery;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Ticker;
import io.pgmux.auth.ScramKeys;
import io.pgmux.config.AuthQueryConfig;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.StoredPassword;
import io.pgmux.server.AuthQueryConnection;
import io.pgmux.server.ServerConnector;
import io.pgmux.server.UpstreamTarget;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Finds the stored password of a user that is not in {@code users} (PgBouncer's auth_user / auth_query /
 * auth_dbname): through the {@link AuthQueryCache}, else by running auth_query on an {@link AuthQueryConnection}
 * logged in as auth_user to the lookup database. Nothing here blocks: the answer is a future, completed on the
 * connection's event loop. Thread-safe.
 *
 * <p>One connection per lookup target (the lookup database, auth_user's login, the query), made on the event loop
 * of the login that first needs it and kept while lookups come (closed after server_idle_timeout without one).
 */
public final class AuthQueryLookup {
    /** The most answers kept; beyond that, fetched answers are used once and not kept. */
    private static final int MAX_ENTRIES = 100_000;

    /** One connection's identity: a change of any part (on reload) means another connection. */
    private record Target(UpstreamTarget upstream, String query) {
    }

    private final ServerConnector connector;
    private final ScramKeys scramKeys;
    private final Ticker ticker;
    private final ConcurrentMap<Target, AuthQueryConnection> connections = new ConcurrentHashMap<>();
    private volatile AuthQueryCache cache;
    private volatile Duration ttl;

    public AuthQueryLookup(PgmuxConfig config, ServerConnector connector, ScramKeys scramKeys, Ticker ticker) {
        this.connector = connector;
        this.scramKeys = scramKeys;
        this.ticker = ticker;
        reconfigure(config);
    }

    /** A reloaded configuration: a new {@code auth_query_cache_ttl} starts a new cache; connections stay. */
    public void reconfigure(PgmuxConfig config) {
        Duration next = config.authQuery().map(AuthQueryConfig::cacheTtl).or(() -> config.databases().values()
                .stream().flatMap(db -> db.authQuery().stream()).map(AuthQueryConfig::cacheTtl).findFirst())
                .orElse(AuthQueryConfig.DEFAULT_CACHE_TTL);
        if (!next.equals(ttl)) {
            ttl = next;
            cache = new AuthQueryCache(ticker, next, MAX_ENTRIES);
        }
    }

    /**
     * The stored password of {@code user}, for a client of {@code clientDatabase} under {@code lookup}: empty when
     * the user may not log in (no row, no password) or there is no lookup database to ask (the client's database
     * is not configured and no auth_dbname is set; that login then fails like any unknown user's).
     *
     * @param loop where a new connection would live: the event loop of the login asking
     * @return completed exceptionally when the query could not be run (server down, auth_user refused, query
     *     error); such an answer is not kept
     */
    public CompletableFuture<Optional<StoredPassword>> find(PgmuxConfig config, AuthQueryConfig lookup,
                                                            String clientDatabase, String user, EventLoop loop) {
        Optional<DatabaseConfig> db = config.database(lookup.databaseFor(clientDatabase));
        if (db.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        AuthQueryCache.Key key = new AuthQueryCache.Key(lookup, db.get().name(), user);
        return cache.get(key, k -> fetch(config, lookup, db.get(), user, loop));
    }

    private CompletableFuture<Optional<StoredPassword>> fetch(PgmuxConfig config, AuthQueryConfig lookup,
                                                              DatabaseConfig db, String user, EventLoop loop) {
        UpstreamTarget upstream = UpstreamTarget.of(db, config.upstreamLoginFor(db.name(), lookup.user()),
                scramKeys);
        Duration idle = config.timeouts().serverIdleTimeout();
        AuthQueryConnection connection = connections.computeIfAbsent(new Target(upstream, lookup.query()),
                t -> new AuthQueryConnection(upstream, lookup.query(), loop, connector, idle));
        return connection.lookup(user).thenApply(AuthQueryLookup::stored);
    }

    /**
     * The password column as pgmux holds passwords. A value that starts like a SCRAM verifier but is damaged
     * fails the lookup (not kept), as a damaged verifier in the configuration fails the start.
     */
    private static Optional<StoredPassword> stored(Optional<String> text) {
        return text.map(value -> {
            try {
                return StoredPassword.parse(value);
            } catch (IllegalArgumentException e) {
                // The login that asked logs it; the message never repeats the value.
                throw new IllegalArgumentException("auth_query returned a password pgmux cannot use: "
                        + e.getMessage(), e);
            }
        });
    }
}
