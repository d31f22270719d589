package io.pgmux.config;

import java.util.Objects;

/**
 * Where pgmux accepts client connections. Only the loader enforces port ranges; code may build one with port 0 to
 * let the OS pick a free port, as tests do.
 */
public record ListenConfig(String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 6432;

    public ListenConfig {
        Objects.requireNonNull(host, "host");
    }

    public static ListenConfig defaults() {
        return new ListenConfig(DEFAULT_HOST, DEFAULT_PORT);
    }
}
