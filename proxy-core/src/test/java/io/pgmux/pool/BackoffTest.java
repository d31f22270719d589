package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The back-off between failed attempts to one upstream: its ceiling and its jitter, with the random draw injected
 * (always the least, or always the most, the draw may give).
 */
class BackoffTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final java.util.function.LongUnaryOperator LEAST = bound -> 0;
    private static final java.util.function.LongUnaryOperator MOST = bound -> bound - 1;

    @Test
    void theCeilingDoublesFromServerLoginRetryUpToFiveSeconds() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), MOST);
        assertEquals(SECOND, backoff.failed());
        assertEquals(2 * SECOND, backoff.failed());
        assertEquals(4 * SECOND, backoff.failed());
        for (int i = 0; i < 30; i++) {
            assertEquals(5 * SECOND, backoff.failed(), "failure " + (i + 4));
        }
        assertEquals(20, backoff.failures(), "counted up to 20, where the doubling has long stopped");
    }

    @Test
    void eachDelayIsDrawnFromTheUpperHalfBelowTheCeiling() {
        Backoff least = new Backoff(Duration.ofSeconds(1), LEAST);
        assertEquals(SECOND / 2, least.failed());
        assertEquals(SECOND, least.failed());
        assertEquals(2 * SECOND, least.failed());
        assertEquals(5 * SECOND / 2, least.failed(), "never shorter than half the ceiling");
    }

    @Test
    void aServerLoginRetryAboveFiveSecondsIsTheCeilingItself() {
        // PgBouncer's default, 15 s: retried every server_login_retry (jittered below it), never growing.
        Backoff backoff = new Backoff(Duration.ofSeconds(15), MOST);
        for (int i = 0; i < 5; i++) {
            assertEquals(15 * SECOND, backoff.failed());
        }
    }

    @Test
    void aDatabaseBackAfterALongOutageIsTriedWithinFiveSeconds() {
        // Down for a minute: the attempts go on at most five seconds apart, so the first after its recovery comes
        // within five seconds of it, whenever it recovers.
        Backoff backoff = new Backoff(Duration.ofMillis(100), MOST);
        long now = 0;
        long longest = 0;
        while (now < 60 * SECOND) {
            long delay = backoff.failed();
            longest = Math.max(longest, delay);
            now += delay;
        }
        assertEquals(5 * SECOND, longest);
    }

    @Test
    void successStartsOver() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), MOST);
        backoff.failed();
        backoff.failed();
        backoff.failed();
        backoff.succeeded();
        assertEquals(0, backoff.failures());
        assertEquals(SECOND, backoff.failed());
    }
}
