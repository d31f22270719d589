package io.pgmux.config;

import java.util.Objects;

/**
 * Where pgmux accepts client connections. Only the loader enforces port ranges; code may build one with port 0 to
 * let the OS pick a free port, as tests do.
 *
 * @param soReuseport bind with SO_REUSEPORT (PgBouncer's {@code so_reuseport}), so that several pgmux processes
 *                    listen on the same address and port and the kernel spreads new connections among them: a new
 *                    process starts beside one that drains, and no client finds the port closed. Each process then
 *                    needs a {@code peer_id} for cancel requests to reach it (see {@link PeersConfig})
 */
public record ListenConfig(String host, int port, boolean soReuseport) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 6432;

    public ListenConfig {
        Objects.requireNonNull(host, "host");
    }

    public ListenConfig(String host, int port) {
        this(host, port, false);
    }

    public static ListenConfig defaults() {
        return new ListenConfig(DEFAULT_HOST, DEFAULT_PORT);
    }
}
