package io.pgmux.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * TLS between pgmux and a PostgreSQL server (PgBouncer's {@code server_tls_*} settings, with libpq's sslmode
 * semantics). Set globally and per database; each key a database leaves out comes from the global setting.
 *
 * @param sslmode   see {@link SslMode}; default {@code prefer}, libpq's and PgBouncer's default
 * @param caFile    the CAs the server's certificate must chain to; required for verify-ca; for verify-full, when
 *                  absent, the JDK's trust store (the public CAs) is used, like libpq's {@code sslrootcert=system};
 *                  when set under require, the chain is checked as in verify-ca (libpq's rule)
 * @param certFile  a client certificate to present to the server (for its {@code cert} method or
 *                  {@code clientcert}); only with {@code keyFile}
 * @param keyFile   the key of {@code certFile}, unencrypted PKCS#8
 * @param sni       send the database host name in the TLS handshake (Server Name Indication; libpq's
 *                  {@code sslsni}, default on). Never sent for an IP address. Proxies in front of managed
 *                  databases route by it
 * @param protocols the TLS versions offered; at least TLS 1.2
 * @param ciphers   cipher suites by their IANA names; empty means the TLS provider's defaults
 */
public record ServerTlsConfig(SslMode sslmode, Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile,
                              boolean sni, Set<TlsProtocol> protocols, List<String> ciphers) {
    public ServerTlsConfig {
        Objects.requireNonNull(sslmode, "sslmode");
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        protocols = Set.copyOf(protocols);
        ciphers = List.copyOf(ciphers);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one TLS protocol");
        }
    }

    /** The defaults: prefer TLS, check nothing, send SNI, TLS 1.2 and 1.3 with the provider's ciphers. */
    public static ServerTlsConfig defaults() {
        return new ServerTlsConfig(SslMode.PREFER, Optional.empty(), Optional.empty(), Optional.empty(), true,
                Set.of(TlsProtocol.values()), List.of());
    }

    /**
     * Whether the server's certificate chain is checked: verify-ca and verify-full, and require when a CA file is
     * set (libpq: "if a root CA file exists, the server certificate is verified as in verify-ca").
     */
    public boolean verifiesChain() {
        return sslmode.verifiesCertificate() || (sslmode == SslMode.REQUIRE && caFile.isPresent());
    }

    /** Whether the server's certificate must name the host pgmux connects to (verify-full). */
    public boolean verifiesHostName() {
        return sslmode == SslMode.VERIFY_FULL;
    }
}
