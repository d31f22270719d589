package io.pgmux.config;

import java.util.Locale;

/**
 * The first column of an access rule: which connections it applies to. pgmux listens on TCP only, so of
 * pg_hba.conf's types only the TCP ones exist here; {@code hostnogssenc} is accepted as a synonym of
 * {@code host} because pgmux never does GSSAPI encryption, so every connection is one "without GSS encryption".
 */
public enum HbaConnectionType {
    /** Any TCP connection, with or without TLS. */
    HOST,
    /** Only connections that use TLS. */
    HOSTSSL,
    /** Only connections without TLS. */
    HOSTNOSSL;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean matches(ConnectionEncryption encryption) {
        switch (this) {
            case HOST:
                return true;
            case HOSTSSL:
                return encryption == ConnectionEncryption.TLS;
            default:
                return encryption == ConnectionEncryption.NONE;
        }
    }
}
