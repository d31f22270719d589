package io.pgmux.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Every timer pgmux runs, named as in PgBouncer and written flat at the top level of the YAML file.
 * {@link Duration#ZERO} means the timer is disabled.
 *
 * @param serverLoginRetry the first back-off after a failed server login; later retries back off further
 * @param serverCheckQuery run on a connection idle longer than {@code serverCheckDelay} before reuse; empty skips it
 * @param shutdownTimeout  how long a graceful shutdown (SIGTERM, SHUTDOWN WAIT_FOR_CLIENTS) lets clients finish
 *                         their transactions before the rest are closed with 57P01; 0 closes them at once
 */
public record Timeouts(Duration serverConnectTimeout, Duration serverLoginRetry, Duration serverIdleTimeout,
                       Duration serverLifetime, Duration serverCheckDelay, String serverCheckQuery,
                       Duration queryWaitTimeout, Duration queryWaitNotify, Duration queryTimeout,
                       Duration clientIdleTimeout, Duration clientLoginTimeout, Duration idleTransactionTimeout,
                       Duration shutdownTimeout) {
    public Timeouts {
        Objects.requireNonNull(serverConnectTimeout, "serverConnectTimeout");
        Objects.requireNonNull(serverLoginRetry, "serverLoginRetry");
        Objects.requireNonNull(serverIdleTimeout, "serverIdleTimeout");
        Objects.requireNonNull(serverLifetime, "serverLifetime");
        Objects.requireNonNull(serverCheckDelay, "serverCheckDelay");
        Objects.requireNonNull(serverCheckQuery, "serverCheckQuery");
        Objects.requireNonNull(queryWaitTimeout, "queryWaitTimeout");
        Objects.requireNonNull(queryWaitNotify, "queryWaitNotify");
        Objects.requireNonNull(queryTimeout, "queryTimeout");
        Objects.requireNonNull(clientIdleTimeout, "clientIdleTimeout");
        Objects.requireNonNull(clientLoginTimeout, "clientLoginTimeout");
        Objects.requireNonNull(idleTransactionTimeout, "idleTransactionTimeout");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    }

    /** The values used for every key the file leaves out. */
    public static Timeouts defaults() {
        return new Timeouts(
                Duration.ofSeconds(15),   // server_connect_timeout
                Duration.ofSeconds(1),    // server_login_retry
                Duration.ofSeconds(600),  // server_idle_timeout
                Duration.ofSeconds(3600), // server_lifetime
                Duration.ofSeconds(30),   // server_check_delay
                "select 1",               // server_check_query
                Duration.ofSeconds(120),  // query_wait_timeout
                Duration.ofSeconds(5),    // query_wait_notify
                Duration.ZERO,            // query_timeout
                Duration.ZERO,            // client_idle_timeout
                Duration.ofSeconds(60),   // client_login_timeout
                Duration.ZERO,            // idle_transaction_timeout
                Duration.ofSeconds(30));  // shutdown_timeout
    }
}
