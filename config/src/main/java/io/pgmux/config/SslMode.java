package io.pgmux.config;

import java.util.Locale;
import java.util.Objects;

/**
 * How much TLS a connection must have: libpq's {@code sslmode} values, used by {@code client_tls_sslmode} (the
 * clients' side) and {@code server_tls_sslmode} (pgmux's own connections to PostgreSQL), as PgBouncer uses them.
 *
 * <p>Towards servers the meanings are libpq's (PostgreSQL documentation, "SSL Support", table "SSL Mode
 * Descriptions"): {@code disable} never asks for TLS; {@code allow} logs in without TLS and retries with TLS when
 * the server refuses; {@code prefer} asks for TLS and carries on without it when the server declines;
 * {@code require} insists on TLS without checking the certificate (unless a CA file is set, then as
 * {@code verify-ca}); {@code verify-ca} also checks the chain; {@code verify-full} also checks the host name.
 *
 * <p>Towards clients: {@code disable} answers every SSLRequest with {@code N}; {@code allow} and {@code prefer}
 * accept TLS when the client asks; {@code require} refuses clients without TLS; {@code verify-ca} also demands a
 * client certificate signed by {@code client_tls_ca_file}; {@code verify-full} also demands that its CN is the
 * user name (PostgreSQL's {@code clientcert=verify-full}; PgBouncer treats it like verify-ca).
 */
public enum SslMode {
    DISABLE,
    ALLOW,
    PREFER,
    REQUIRE,
    VERIFY_CA,
    VERIFY_FULL;

    static final String EXPECTED = "disable, allow, prefer, require, verify-ca or verify-full";

    /** Parses the YAML spelling, ignoring case. */
    public static SslMode parse(String text) {
        Objects.requireNonNull(text, "text");
        for (SslMode mode : values()) {
            if (mode.configName().equalsIgnoreCase(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown sslmode \"" + text + "\"; expected " + EXPECTED);
    }

    /** The spelling used in the YAML file, e.g. {@code verify-full}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether a connection without TLS is refused. */
    public boolean requiresTls() {
        return compareTo(REQUIRE) >= 0;
    }

    /** Whether the peer's certificate chain is checked against a CA. */
    public boolean verifiesCertificate() {
        return compareTo(VERIFY_CA) >= 0;
    }
}
