package io.pgmux.server;

import io.pgmux.protocol.PgError;
import java.util.Objects;

/**
 * The TLS step of a server connection failed: the server declined TLS that the sslmode requires, answered
 * SSLRequest with something else than {@code S} or {@code N}, or the handshake failed (a certificate that does not
 * chain to {@code server_tls_ca_file} or does not name the host, no common protocol).
 */
final class UpstreamTlsException extends RuntimeException {
    private final PgError error;
    private final boolean handshakeFailed;

    /**
     * @param error           what the pool reports (and the waiting clients see), in libpq's words where it has them
     * @param handshakeFailed whether the TLS handshake itself failed, after which libpq tries its next attempt
     */
    UpstreamTlsException(PgError error, boolean handshakeFailed) {
        super(error.message(), null, false, false);
        this.error = Objects.requireNonNull(error, "error");
        this.handshakeFailed = handshakeFailed;
    }

    PgError error() {
        return error;
    }

    boolean handshakeFailed() {
        return handshakeFailed;
    }
}
