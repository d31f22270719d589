package io.pgmux.access;

import io.pgmux.config.ConnectionEncryption;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

/**
 * What the login path knows about a client once its StartupMessage has arrived.
 *
 * @param encryption        whether the connection runs over TLS
 * @param address           the client's IP address, as the socket reports it (no lookup)
 * @param database          the database name from the StartupMessage (pgmux's name)
 * @param user              the user name from the StartupMessage
 * @param clientCertificate the leaf certificate the client presented in the TLS handshake, already verified
 *                          against {@code client_tls_ca_file} by the TLS layer; empty without TLS or without one
 */
public record LoginAttempt(ConnectionEncryption encryption, InetAddress address, String database, String user,
                           Optional<X509Certificate> clientCertificate) {
    public LoginAttempt {
        Objects.requireNonNull(encryption, "encryption");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(clientCertificate, "clientCertificate");
        if (clientCertificate.isPresent() && encryption != ConnectionEncryption.TLS) {
            throw new IllegalArgumentException("a client certificate comes only with TLS");
        }
    }
}
