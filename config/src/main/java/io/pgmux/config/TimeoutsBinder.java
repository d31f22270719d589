package io.pgmux.config;

import java.time.Duration;

/** Reads the timers, which sit flat at the top level under their PgBouncer names. */
final class TimeoutsBinder {
    private TimeoutsBinder() {
    }

    static Timeouts bind(YamlMap top) {
        Timeouts d = Timeouts.defaults();
        ValueType<Duration> duration = ValueType.duration();
        return new Timeouts(
                top.get("server_connect_timeout", duration, d.serverConnectTimeout()),
                top.get("server_login_retry", duration, d.serverLoginRetry()),
                top.get("server_idle_timeout", duration, d.serverIdleTimeout()),
                top.get("server_lifetime", duration, d.serverLifetime()),
                top.get("server_check_delay", duration, d.serverCheckDelay()),
                top.get("server_check_query", ValueType.string(), d.serverCheckQuery()),
                top.get("query_wait_timeout", duration, d.queryWaitTimeout()),
                top.get("query_wait_notify", duration, d.queryWaitNotify()),
                top.get("query_timeout", duration, d.queryTimeout()),
                top.get("client_idle_timeout", duration, d.clientIdleTimeout()),
                top.get("client_login_timeout", duration, d.clientLoginTimeout()),
                top.get("idle_transaction_timeout", duration, d.idleTransactionTimeout()),
                top.get("shutdown_timeout", duration, d.shutdownTimeout()));
    }
}
