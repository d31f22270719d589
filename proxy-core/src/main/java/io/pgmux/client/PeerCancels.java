package io.pgmux.client;

import io.netty.channel.Channel;
import io.pgmux.config.ListenConfig;
import io.pgmux.config.PeersConfig;
import io.pgmux.protocol.frontend.CancelRequest;
import io.pgmux.server.CancelOutcome;
import io.pgmux.server.ServerConnector;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a cancel request whose key another process of the peer group handed out (PgBouncer's peering): with
 * listen.so_reuseport the kernel gives the cancel connection to any process on the port, not necessarily the one
 * that runs the query. The request goes to that peer's address from {@code peers} on a connection of its own,
 * with its TTL lowered ({@link CancelKeys}); the client's cancel connection is closed once the peer has closed the
 * forwarded one, so a client that waits for the close (as libpq does) knows the cancel has been delivered, as with
 * PostgreSQL. A request for a peer that is not configured, or whose TTL is spent, is dropped, as PostgreSQL drops a
 * cancel request that matches no backend.
 */
final class PeerCancels {
    private static final Logger log = LoggerFactory.getLogger(PeerCancels.class);

    private final CancelKeys keys;
    private final ServerConnector connector;
    private final Supplier<PeersConfig> peers;

    /** @param peers the peers of the configuration in force; a reload may change their addresses */
    PeerCancels(CancelKeys keys, ServerConnector connector, Supplier<PeersConfig> peers) {
        this.keys = keys;
        this.connector = connector;
        this.peers = peers;
    }

    /**
     * Takes care of {@code request} if another peer's key is in it; on the cancel connection's event loop.
     *
     * @return false when the key is this process's own (or peering is off): the caller looks it up then
     */
    boolean forward(CancelRequest request, Channel cancelConnection) {
        if (keys.isOwn(request.processId())) {
            return false;
        }
        int peerId = keys.peerOf(request.processId());
        Optional<ListenConfig> peer = peers.get().peer(peerId);
        if (peer.isEmpty()) {
            log.debug("cancel request for peer {}, which is not in peers; dropped", peerId);
            cancelConnection.close();
        } else if (CancelKeys.ttl(request) == 0) {
            log.warn("cancel request for peer {} was forwarded {} times and is dropped: do the peers' addresses"
                    + " lead back to each other? Each entry of peers must be the address of that process alone",
                    peerId, CancelKeys.TTL);
            cancelConnection.close();
        } else {
            ListenConfig address = peer.get();
            connector.cancel(cancelConnection.eventLoop(), address.host(), address.port(),
                    CancelKeys.forwarded(request), outcome -> {
                        if (outcome == CancelOutcome.NOT_SENT) {
                            log.warn("cannot forward a cancel request to peer {} at {}:{}", peerId, address.host(),
                                    address.port());
                        }
                        cancelConnection.close();
                    });
        }
        return true;
    }
}
