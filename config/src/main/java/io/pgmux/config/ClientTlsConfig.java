package io.pgmux.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * TLS between clients and pgmux (PgBouncer's {@code client_tls_*} settings, same names and meanings). Files are
 * PEM; paths are resolved against the configuration file's directory and were readable when it was loaded.
 *
 * @param sslmode   what clients must do; {@code disable} (the default) answers every SSLRequest with {@code N}
 * @param certFile  pgmux's certificate chain, leaf first; required unless sslmode is disable
 * @param keyFile   the private key of {@code certFile}, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}); required
 *                  unless sslmode is disable
 * @param caFile    the CAs client certificates must be signed by; required for verify-ca, verify-full and the
 *                  {@code cert} method; when set, clients may present a certificate under any sslmode
 * @param protocols the TLS versions offered; at least TLS 1.2
 * @param ciphers   cipher suites by their IANA names ({@code TLS_AES_128_GCM_SHA256}); empty means the TLS
 *                  provider's defaults
 */
public record ClientTlsConfig(SslMode sslmode, Optional<Path> certFile, Optional<Path> keyFile, Optional<Path> caFile,
                              Set<TlsProtocol> protocols, List<String> ciphers) {
    public ClientTlsConfig {
        Objects.requireNonNull(sslmode, "sslmode");
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(caFile, "caFile");
        protocols = Set.copyOf(protocols);
        ciphers = List.copyOf(ciphers);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one TLS protocol");
        }
    }

    /** No TLS towards clients: PgBouncer's default. */
    public static ClientTlsConfig disabled() {
        return new ClientTlsConfig(SslMode.DISABLE, Optional.empty(), Optional.empty(), Optional.empty(),
                Set.of(TlsProtocol.values()), List.of());
    }
}
