package io.pgmux.client;

import io.pgmux.config.PeersConfig;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.protocol.frontend.CancelRequest;
import java.util.Random;

/**
 * The layout of the BackendKeyData pgmux hands its clients. Without peering (peer_id 0) both halves are random: a
 * process id of 31 bits (PostgreSQL's are positive) and a secret of 32. With a peer id the key says whose it is, as
 * PgBouncer's peering does, so a process that receives another's cancel request can forward it:
 *
 * <pre>
 *   process id: 0 | peer id (14 bits) | random (17 bits)
 *   secret:     forwarding TTL (2 bits) | random (30 bits)
 * </pre>
 *
 * The TTL starts at {@link #TTL}; each forward lowers it and a request whose TTL is spent is dropped, so peers whose
 * addresses are configured in a loop cannot pass a request around for ever. Matching a key ignores the TTL. That
 * leaves 47 random bits to guess, against 64 without peering.
 */
final class CancelKeys {
    static final int TTL = 3;
    private static final int RANDOM_PID_BITS = 17;
    private static final int RANDOM_PID_MASK = (1 << RANDOM_PID_BITS) - 1;
    private static final int SECRET_MASK = 0x3FFF_FFFF;

    private final int peerId;

    /** @param peerId this process's peer_id, 0 without peering */
    CancelKeys(int peerId) {
        if (peerId < 0 || peerId > PeersConfig.MAX_PEER_ID) {
            throw new IllegalArgumentException("peer_id " + peerId + " out of range 0 to " + PeersConfig.MAX_PEER_ID);
        }
        this.peerId = peerId;
    }

    /** A new key (not yet checked for uniqueness); its process id is never 0. */
    BackendKeyData next(Random random) {
        if (peerId == 0) {
            int processId;
            do {
                processId = random.nextInt() & 0x7FFF_FFFF;
            } while (processId == 0);
            return new BackendKeyData(processId, random.nextInt());
        }
        return new BackendKeyData(peerId << RANDOM_PID_BITS | random.nextInt() & RANDOM_PID_MASK,
                TTL << 30 | random.nextInt() & SECRET_MASK);
    }

    /** Whether a CancelRequest quoting {@code quoted} matches the secret this process handed out. */
    boolean sameSecret(int handedOut, int quoted) {
        return peerId == 0 ? handedOut == quoted : (handedOut & SECRET_MASK) == (quoted & SECRET_MASK);
    }

    /** The peer that handed out {@code processId}: this process's own id when it is ours (or peering is off). */
    int peerOf(int processId) {
        return peerId == 0 ? 0 : processId >>> RANDOM_PID_BITS;
    }

    boolean isOwn(int processId) {
        return peerOf(processId) == peerId;
    }

    /** How many more times {@code request} may be forwarded. */
    static int ttl(CancelRequest request) {
        return request.secretKey() >>> 30;
    }

    /** {@code request} as forwarded to its peer: the same key with one forward less to go. */
    static CancelRequest forwarded(CancelRequest request) {
        int ttl = ttl(request);
        if (ttl == 0) {
            throw new IllegalStateException("a cancel request whose TTL is spent is not forwarded");
        }
        return new CancelRequest(request.processId(), (ttl - 1) << 30 | request.secretKey() & SECRET_MASK);
    }
}
