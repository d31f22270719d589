package io.pgmux.client;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * client_login_timeout (PgBouncer's setting): a client that has not finished logging in this long after it
 * connected is closed. One timer per connection, armed when it connects and cancelled once it is greeted (or
 * leaves). Confined to the client's event loop.
 */
final class LoginTimeout {
    private ScheduledFuture<?> timer;

    /** Arms the timer; {@code onExpiry} runs on {@code loop} unless {@link #cancel()} came first. 0: no timeout. */
    void start(EventLoop loop, Duration timeout, Runnable onExpiry) {
        long millis = timeout.toMillis();
        if (millis > 0) {
            timer = loop.schedule(onExpiry, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** The client logged in or left; a second call does nothing. */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
