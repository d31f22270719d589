package io.pgmux.config;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * PgBouncer's peering ({@code peer_id} and the {@code [peers]} section): several pgmux processes that share a port
 * (listen.so_reuseport) or a load balancer, and forward to each other the cancel requests that reach the wrong one.
 * A client's cancel request arrives on a new connection, which the kernel may give to any of the processes; the
 * cancel key each process hands out carries its peer id, so the process that gets the request knows whose it is.
 *
 * @param peerId this process's id, 1 to {@link #MAX_PEER_ID}; 0 (the default) turns peering off and cancel keys
 *               are wholly random
 * @param peers  where each peer can be reached by id, its own entry included: a process listens on its own entry's
 *               address too (when it differs from {@code listen}), which gives every process of a group sharing one
 *               port an address that is its alone. The same file can so serve the whole group, with
 *               {@code peer_id: ${PGMUX_PEER_ID}}
 */
public record PeersConfig(int peerId, Map<Integer, ListenConfig> peers) {
    /** PgBouncer's limit: the id takes 14 bits of the cancel key. */
    public static final int MAX_PEER_ID = 16383;
    /** Clients per process with a peer id: half the 17 bits of the cancel key's process id left to tell them apart. */
    public static final int MAX_CLIENT_CONNECTIONS = 65536;

    public PeersConfig {
        peers = Collections.unmodifiableMap(new TreeMap<>(peers));
    }

    public static PeersConfig none() {
        return new PeersConfig(0, Map.of());
    }

    public boolean enabled() {
        return peerId != 0;
    }

    /** Where peer {@code id} listens, if configured. */
    public Optional<ListenConfig> peer(int id) {
        return Optional.ofNullable(peers.get(id));
    }

    /** This process's own peer address, where it listens besides {@code listen}; empty when it has none. */
    public Optional<ListenConfig> own() {
        return enabled() ? peer(peerId) : Optional.empty();
    }

    /**
     * These peers with {@code running}'s peer id and own entry (or none, as {@code running} has), the other entries
     * as they are: what a reload installs, since the id is in every cancel key handed out and the own address was
     * bound at start ({@link RestartOnlySetting#PEER_ID}).
     */
    PeersConfig withOwnFrom(PeersConfig running) {
        Map<Integer, ListenConfig> kept = new TreeMap<>(peers);
        kept.remove(running.peerId);
        running.own().ifPresent(address -> kept.put(running.peerId, address));
        return new PeersConfig(running.peerId, kept);
    }
}
