package io.pgmux.config;

import java.util.Locale;
import java.util.Objects;

/**
 * How pgmux authenticates a client: the {@code auth_type} setting (global, per database, per user) and the method
 * column of the access rules. The YAML spellings are pg_hba.conf's method names, with PostgreSQL's meanings
 * (PostgreSQL documentation, "Client Authentication", section 21.3 onwards):
 * <ul>
 *   <li>{@code scram-sha-256}: SCRAM-SHA-256 challenge-response (the default);
 *   <li>{@code md5}: the md5 challenge, or SCRAM when the user's stored password is a SCRAM verifier;
 *   <li>{@code password}: the password in cleartext; refused on a connection without TLS unless
 *       {@code allow_password_without_tls} is set;
 *   <li>{@code trust}: no check at all;
 *   <li>{@code reject}: always refused ({@code 28000});
 *   <li>{@code cert}: a TLS client certificate, signed by {@code client_tls_ca_file}, whose CN is the user name.
 * </ul>
 */
public enum AuthType {
    TRUST,
    PASSWORD,
    MD5,
    SCRAM_SHA_256,
    REJECT,
    CERT;

    /** The phrase completing "expected ...". */
    static final String EXPECTED = "trust, password, md5, scram-sha-256, reject or cert";

    /** Parses the YAML spelling, ignoring case. */
    public static AuthType parse(String text) {
        Objects.requireNonNull(text, "text");
        for (AuthType type : values()) {
            if (type.configName().equalsIgnoreCase(text)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown auth type \"" + text + "\"; expected " + EXPECTED);
    }

    /** The spelling used in the YAML file, e.g. {@code scram-sha-256}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the client proves itself with a password (scram-sha-256, md5 or password). */
    public boolean usesPassword() {
        return this == PASSWORD || this == MD5 || this == SCRAM_SHA_256;
    }
}
