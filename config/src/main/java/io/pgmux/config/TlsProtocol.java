package io.pgmux.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The TLS versions pgmux speaks. TLS 1.0 and 1.1 are deprecated (RFC 8996) and PostgreSQL's own
 * {@code ssl_min_protocol_version} defaults to TLSv1.2, so they are not offered at all.
 */
public enum TlsProtocol {
    TLS_1_2("TLSv1.2"),
    TLS_1_3("TLSv1.3");

    static final String EXPECTED = "a list of tlsv1.2 and tlsv1.3 like \"tlsv1.2,tlsv1.3\", or secure (both)";

    private final String jdkName;

    TlsProtocol(String jdkName) {
        this.jdkName = jdkName;
    }

    /** The protocol name the JDK and Netty use, e.g. {@code TLSv1.3}. */
    public String jdkName() {
        return jdkName;
    }

    /**
     * Parses PgBouncer's {@code *_tls_protocols} syntax: names separated by commas or blanks, ignoring case, or
     * {@code secure} for TLS 1.2 and 1.3.
     *
     * @throws IllegalArgumentException on an unknown name, an older version, or an empty list
     */
    public static Set<TlsProtocol> parseList(String text) {
        Set<TlsProtocol> protocols = EnumSet.noneOf(TlsProtocol.class);
        for (String word : text.trim().split("[,\\s]+")) {
            switch (word.toLowerCase(Locale.ROOT)) {
                case "secure":
                    protocols.addAll(EnumSet.allOf(TlsProtocol.class));
                    break;
                case "tlsv1.2":
                    protocols.add(TLS_1_2);
                    break;
                case "tlsv1.3":
                    protocols.add(TLS_1_3);
                    break;
                case "tlsv1.0":
                case "tlsv1.1":
                case "all":
                case "legacy":
                    throw new IllegalArgumentException("TLS older than 1.2 is not supported");
                default:
                    throw new IllegalArgumentException("unknown TLS protocol");
            }
        }
        return protocols;
    }
}
