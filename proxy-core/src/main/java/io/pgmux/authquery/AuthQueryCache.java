package io.pgmux.authquery;

import io.netty.util.concurrent.Ticker;
import io.pgmux.config.AuthQueryConfig;
import io.pgmux.config.StoredPassword;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * The answers of {@code auth_query}, by lookup and user: a stored password (a SCRAM verifier or an md5 hash), or
 * "no such user" (no row, no password, expired or not allowed to log in). Thread-safe; logins on any event loop
 * call {@link #get}.
 *
 * <ul>
 *   <li>Concurrent logins of one user share one fetch, so a burst of connections runs the query once.
 *   <li>An answer, "no such user" included, is reused for the TTL counted from when it arrived; so a flood of
 *       logins for made-up names costs the server one query per name per TTL, and a known and an unknown user
 *       are answered from the cache alike. A TTL of 0 reuses nothing but still shares a fetch in flight.
 *   <li>A failed fetch (server unreachable, query error) is not kept: the next login tries again.
 *   <li>At most {@code maxEntries} answers are kept; beyond that, expired ones are dropped first, and when none
 *       has expired a new user is fetched without being kept.
 * </ul>
 * Time comes from an injected {@link Ticker}, so tests move it by hand.
 */
public final class AuthQueryCache {
    /**
     * One user under one lookup: the lookup's settings and the database the query runs in, so lookups with
     * another auth_user, query or database never share answers.
     */
    public record Key(AuthQueryConfig lookup, String database, String user) {
        public Key {
            Objects.requireNonNull(lookup, "lookup");
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(user, "user");
        }
    }

    /** One answer, in flight until its future completes; kept until {@code expiresAtNanos}. */
    private static final class Entry {
        final CompletableFuture<Optional<StoredPassword>> answer = new CompletableFuture<>();
        /** Written before {@link #answer} completes, so readers that see it complete see the expiry too. */
        volatile long expiresAtNanos;

        boolean expired(long nowNanos) {
            return answer.isDone() && nowNanos - expiresAtNanos >= 0;
        }
    }

    private final Ticker ticker;
    private final long ttlNanos;
    private final int maxEntries;
    private final ConcurrentMap<Key, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param ttl        how long an answer is reused ({@code auth_query_cache_ttl}); zero reuses none
     * @param maxEntries the most answers kept at once
     */
    public AuthQueryCache(Ticker ticker, Duration ttl, int maxEntries) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("negative TTL " + ttl);
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive, got " + maxEntries);
        }
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
    }

    /**
     * The stored password of {@code key}'s user: the kept answer while it is fresh, the fetch already under way,
     * or a new fetch started with {@code fetch}. {@code fetch} must not block: it starts the query elsewhere and
     * returns its future. The future returned here is the caller's own; completing or cancelling it affects no
     * other login.
     */
    public CompletableFuture<Optional<StoredPassword>> get(
            Key key, Function<Key, CompletableFuture<Optional<StoredPassword>>> fetch) {
        long now = ticker.nanoTime();
        Entry[] created = new Entry[1];
        Entry entry = entries.computeIfPresent(key, (k, old) -> old.expired(now) ? null : old);
        if (entry == null) {
            if (entries.size() >= maxEntries) {
                evictExpired();
            }
            if (entries.size() >= maxEntries) {
                Entry uncached = new Entry();
                start(key, uncached, fetch, false);
                return uncached.answer.copy();
            }
            entry = entries.computeIfAbsent(key, k -> created[0] = new Entry());
        }
        if (entry == created[0]) {
            start(key, entry, fetch, true);
        }
        return entry.answer.copy();
    }

    private void start(Key key, Entry entry, Function<Key, CompletableFuture<Optional<StoredPassword>>> fetch,
                       boolean kept) {
        CompletableFuture<Optional<StoredPassword>> fetched;
        try {
            fetched = Objects.requireNonNull(fetch.apply(key), "fetch returned no future");
        } catch (RuntimeException e) {
            fetched = CompletableFuture.failedFuture(e);
        }
        fetched.whenComplete((answer, error) -> {
            if (error != null || answer == null) {
                if (kept) {
                    entries.remove(key, entry);
                }
                entry.answer.completeExceptionally(error != null ? error
                        : new IllegalStateException("auth_query fetch completed with no answer"));
                return;
            }
            entry.expiresAtNanos = ticker.nanoTime() + ttlNanos;
            if (kept && ttlNanos == 0) {
                entries.remove(key, entry);
            }
            entry.answer.complete(answer);
        });
    }

    /**
     * Forgets {@code key}'s answer, e.g. after a login whose proof failed against it, in case the password was
     * changed on the server since. A fetch in flight is forgotten too (its callers still get its answer).
     */
    public void invalidate(Key key) {
        entries.remove(key);
    }

    /** Drops every expired answer, for periodic maintenance; returns how many. */
    public int evictExpired() {
        long now = ticker.nanoTime();
        int before = entries.size();
        entries.values().removeIf(entry -> entry.expired(now));
        return Math.max(0, before - entries.size());
    }

    /** Answers kept and fetches in flight. */
    public int size() {
        return entries.size();
    }
}
