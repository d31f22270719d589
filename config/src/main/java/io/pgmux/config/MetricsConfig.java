package io.pgmux.config;

import java.util.Objects;

/**
 * The HTTP endpoint for Prometheus ({@code /metrics}) and probes ({@code /health/live}, {@code /health/ready}); on
 * by default but bound to loopback, so exposing it is a deliberate choice.
 *
 * @param pgbouncerCompat also publish the {@code pgbouncer_*} families under the names and labels of the
 *                        prometheus-community pgbouncer_exporter, so dashboards built for PgBouncer work unchanged
 */
public record MetricsConfig(boolean enabled, String host, int port, boolean pgbouncerCompat) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9930;

    public MetricsConfig {
        Objects.requireNonNull(host, "host");
    }

    public static MetricsConfig defaults() {
        return new MetricsConfig(true, DEFAULT_HOST, DEFAULT_PORT, false);
    }

    /** The same settings on another port (0 lets the OS pick one, as tests do). */
    public MetricsConfig withPort(int newPort) {
        return new MetricsConfig(enabled, host, newPort, pgbouncerCompat);
    }
}
