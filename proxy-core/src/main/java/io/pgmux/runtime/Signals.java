package io.pgmux.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The process signals of a running pgmux, as PgBouncer and PostgreSQL take them: SIGHUP reloads the configuration
 * file (the same path as the console's RELOAD), SIGTERM shuts down gracefully (clients finish their transactions
 * for up to shutdown_timeout), SIGINT or a second SIGTERM shuts down at once. The JDK delivers signals on a thread
 * of its own, never an event loop; the reload itself runs on the runtime's reload thread.
 */
public final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** Takes over SIGHUP, SIGTERM and SIGINT for {@code server}; the JVM's own handling of them stops. */
    public static void install(PgmuxServer server) {
        AtomicBoolean terminating = new AtomicBoolean();
        Signal.handle(new Signal("HUP"), signal -> {
            log.info("SIGHUP: reloading the configuration");
            server.reload().whenComplete((ignored, error) -> {
                if (error == null) {
                    log.info("SIGHUP: reload done");
                }
            });
        });
        Signal.handle(new Signal("TERM"), signal -> {
            if (terminating.compareAndSet(false, true)) {
                log.info("SIGTERM: shutting down gracefully (a second SIGTERM or SIGINT stops at once)");
                server.shutdown(server.pools().config().timeouts().shutdownTimeout(), false);
            } else {
                log.info("SIGTERM again: shutting down now");
                server.shutdownNow();
            }
        });
        Signal.handle(new Signal("INT"), signal -> {
            log.info("SIGINT: shutting down now");
            server.shutdownNow();
        });
    }
}
