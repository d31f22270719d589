package io.pgmux.config;

import java.util.Objects;

/** The Prometheus endpoint; on by default but bound to loopback, so exposing it is a deliberate choice. */
public record MetricsConfig(boolean enabled, String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9930;

    public MetricsConfig {
        Objects.requireNonNull(host, "host");
    }

    public static MetricsConfig defaults() {
        return new MetricsConfig(true, DEFAULT_HOST, DEFAULT_PORT);
    }
}
