package io.pgmux.admin.spi;

import java.util.Objects;

/**
 * One line of SHOW PEERS: a process of the peer group, from the {@code peers} section in force.
 *
 * @param peerId    its peer id, 1 to 16383
 * @param host      where cancel requests for its clients are forwarded
 * @param port      that address's port
 * @param poolSize  connections kept for forwarding to it; pgmux keeps none (each forwarded cancel request opens
 *                  one, as a client's cancel request does), so 0
 */
public record PeerRow(int peerId, String host, int port, int poolSize) {
    public PeerRow {
        Objects.requireNonNull(host, "host");
    }
}
