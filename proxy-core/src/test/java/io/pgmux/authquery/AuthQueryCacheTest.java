package io.pgmux.authquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.pgmux.config.AuthQueryConfig;
import io.pgmux.config.StoredPassword;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Fetched passwords kept for the TTL, shared while in flight, failures never kept; time moved by hand. */
class AuthQueryCacheTest {
    private static final AuthQueryConfig LOOKUP = new AuthQueryConfig("lookup", AuthQueryConfig.DEFAULT_QUERY,
            Optional.empty(), Duration.ofSeconds(60));
    private static final StoredPassword MD5 = StoredPassword.parse("md5106aba8154338e0e2dc03dde364e84be");

    private final MockTicker ticker = Ticker.newMockTicker();

    /** A fetch the test completes by hand, counting how often it was started. */
    private static final class Fetches implements Function<AuthQueryCache.Key,
            CompletableFuture<Optional<StoredPassword>>> {
        final List<CompletableFuture<Optional<StoredPassword>>> started = new ArrayList<>();

        @Override
        public CompletableFuture<Optional<StoredPassword>> apply(AuthQueryCache.Key key) {
            CompletableFuture<Optional<StoredPassword>> future = new CompletableFuture<>();
            started.add(future);
            return future;
        }

        CompletableFuture<Optional<StoredPassword>> last() {
            return started.get(started.size() - 1);
        }
    }

    private static AuthQueryCache.Key key(String user) {
        return new AuthQueryCache.Key(LOOKUP, "app", user);
    }

    private AuthQueryCache cache(Duration ttl) {
        return new AuthQueryCache(ticker, ttl, 100);
    }

    @Test
    void concurrentLoginsShareOneFetch() {
        AuthQueryCache cache = cache(Duration.ofSeconds(60));
        Fetches fetches = new Fetches();
        CompletableFuture<Optional<StoredPassword>> first = cache.get(key("api"), fetches);
        CompletableFuture<Optional<StoredPassword>> second = cache.get(key("api"), fetches);
        assertEquals(1, fetches.started.size());
        assertFalse(first.isDone());
        fetches.last().complete(Optional.of(MD5));
        assertEquals(Optional.of(MD5), first.join());
        assertEquals(Optional.of(MD5), second.join());
    }

    @Test
    void anAnswerIsReusedForTheTtlCountedFromItsArrival() {
        AuthQueryCache cache = cache(Duration.ofSeconds(60));
        Fetches fetches = new Fetches();
        cache.get(key("api"), fetches);
        ticker.advance(30, TimeUnit.SECONDS); // a slow query: the TTL starts when the answer arrives
        fetches.last().complete(Optional.of(MD5));
        ticker.advance(59, TimeUnit.SECONDS);
        assertEquals(Optional.of(MD5), cache.get(key("api"), fetches).join());
        assertEquals(1, fetches.started.size());
        ticker.advance(1, TimeUnit.SECONDS);
        CompletableFuture<Optional<StoredPassword>> refetched = cache.get(key("api"), fetches);
        assertEquals(2, fetches.started.size());
        assertFalse(refetched.isDone());
    }

    @Test
    void noSuchUserIsKeptTooSoAFloodOfMadeUpNamesCostsOneQueryEach() {
        AuthQueryCache cache = cache(Duration.ofSeconds(60));
        Fetches fetches = new Fetches();
        cache.get(key("nobody"), fetches);
        fetches.last().complete(Optional.empty());
        for (int i = 0; i < 100; i++) {
            assertEquals(Optional.empty(), cache.get(key("nobody"), fetches).join());
        }
        assertEquals(1, fetches.started.size());
    }

    @Test
    void aFailedFetchReachesEveryWaiterAndIsNotKept() {
        AuthQueryCache cache = cache(Duration.ofSeconds(60));
        Fetches fetches = new Fetches();
        CompletableFuture<Optional<StoredPassword>> a = cache.get(key("api"), fetches);
        CompletableFuture<Optional<StoredPassword>> b = cache.get(key("api"), fetches);
        IllegalStateException down = new IllegalStateException("server unreachable");
        fetches.last().completeExceptionally(down);
        assertEquals(down, assertThrows(CompletionException.class, a::join).getCause());
        assertEquals(down, assertThrows(CompletionException.class, b::join).getCause());
        assertEquals(0, cache.size());
        cache.get(key("api"), fetches);
        assertEquals(2, fetches.started.size());
    }

    @Test
    void aFetchThatThrowsIsAFailedFetch() {
        AuthQueryCache cache = cache(Duration.ofSeconds(60));
        CompletableFuture<Optional<StoredPassword>> answer = cache.get(key("api"), k -> {
            throw new IllegalStateException("no pool");
        });
        assertInstanceOf(IllegalStateException.class, assertThrows(CompletionException.class, answer::join)
                .getCause());
        assertEquals(0, cache.size());
    }

    @Test
    void zeroTtlSharesTheFetchInFlightButKeepsNothing() {
        AuthQueryCache cache = cache(Duration.ZERO);
        Fetches fetches = new Fetches();
        CompletableFuture<Optional<StoredPassword>> a = cache.get(key("api"), fetches);
        cache.get(key("api"), fetches);
        assertEquals(1, fetches.started.size());
        fetches.last().complete(Optional.of(MD5));
        assertEquals(Optional.of(MD5), a.join());
        assertEquals(0, cache.size());
        cache.get(key("api"), fetches);
        assertEquals(2, fetches.started.size());
    }

    @Test
    void invalidateForgetsAnAnswer() {
        AuthQueryCache cache = cache(Duration.ofSeconds(60));
        Fetches fetches = new Fetches();
        cache.get(key("api"), fetches);
        fetches.last().complete(Optional.of(MD5));
        cache.invalidate(key("api"));
        cache.get(key("api"), fetches);
        assertEquals(2, fetches.started.size());
    }

    @Test
    void usersAndLookupsAreKeptApart() {
        AuthQueryCache cache = cache(Duration.ofSeconds(60));
        Fetches fetches = new Fetches();
        cache.get(key("api"), fetches);
        cache.get(key("ops"), fetches);
        cache.get(new AuthQueryCache.Key(LOOKUP, "other", "api"), fetches);
        AuthQueryConfig otherQuery = new AuthQueryConfig("lookup", "SELECT usename, passwd FROM f($1)",
                Optional.empty(), Duration.ofSeconds(60));
        cache.get(new AuthQueryCache.Key(otherQuery, "app", "api"), fetches);
        assertEquals(4, fetches.started.size());
    }

    @Test
    void evictsExpiredAnswersAndStopsKeepingWhenFull() {
        AuthQueryCache cache = new AuthQueryCache(ticker, Duration.ofSeconds(10), 2);
        Fetches fetches = new Fetches();
        cache.get(key("a"), fetches);
        fetches.last().complete(Optional.empty());
        cache.get(key("b"), fetches);
        fetches.last().complete(Optional.empty());
        assertEquals(2, cache.size());

        // Full and nothing expired: a third user is fetched but not kept.
        CompletableFuture<Optional<StoredPassword>> c = cache.get(key("c"), fetches);
        fetches.last().complete(Optional.of(MD5));
        assertEquals(Optional.of(MD5), c.join());
        assertEquals(2, cache.size());
        cache.get(key("c"), fetches);
        assertEquals(4, fetches.started.size());
        fetches.last().complete(Optional.of(MD5));

        ticker.advance(10, TimeUnit.SECONDS);
        assertEquals(2, cache.evictExpired());
        assertEquals(0, cache.size());
    }

    @Test
    void eachCallerGetsItsOwnFuture() {
        AuthQueryCache cache = cache(Duration.ofSeconds(60));
        Fetches fetches = new Fetches();
        CompletableFuture<Optional<StoredPassword>> a = cache.get(key("api"), fetches);
        CompletableFuture<Optional<StoredPassword>> b = cache.get(key("api"), fetches);
        assertNotSame(a, b);
        a.cancel(false); // a login that gave up
        fetches.last().complete(Optional.of(MD5));
        assertTrue(a.isCancelled());
        assertEquals(Optional.of(MD5), b.join());
        assertEquals(Optional.of(MD5), cache.get(key("api"), fetches).join());
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new AuthQueryCache(ticker, Duration.ofSeconds(-1), 1));
        assertThrows(IllegalArgumentException.class, () -> new AuthQueryCache(ticker, Duration.ofSeconds(1), 0));
    }
}
