package io.pgmux.config;

import java.util.Locale;
import java.util.Set;

/**
 * The words of an access rule that both forms share, the YAML list and pg_hba.conf: connection types and
 * methods, each refused with the reason when pgmux cannot honour it.
 */
final class HbaSyntax {
    static final String TYPES = "host, hostssl or hostnossl";
    static final String METHODS = "scram-sha-256, md5, password, trust, reject or cert";
    /** PostgreSQL's other methods: known, so the message can say "not supported" rather than "unknown". */
    private static final Set<String> POSTGRES_ONLY_METHODS =
            Set.of("gss", "sspi", "ident", "peer", "ldap", "radius", "pam", "bsd");

    private HbaSyntax() {
    }

    /** @throws IllegalArgumentException with the reason */
    static HbaConnectionType type(String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "host":
            case "hostnogssenc":
                return HbaConnectionType.HOST;
            case "hostssl":
                return HbaConnectionType.HOSTSSL;
            case "hostnossl":
                return HbaConnectionType.HOSTNOSSL;
            case "local":
                throw new IllegalArgumentException("local rules are not supported: pgmux accepts TCP connections"
                        + " only, so the rule could never match; remove it");
            case "hostgssenc":
                throw new IllegalArgumentException("hostgssenc rules are not supported: pgmux never does GSSAPI"
                        + " encryption, so the rule could never match; remove it");
            default:
                throw new IllegalArgumentException("unknown connection type \"" + text + "\"; expected " + TYPES);
        }
    }

    /** @throws IllegalArgumentException with the reason */
    static AuthType method(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (POSTGRES_ONLY_METHODS.contains(lower)) {
            throw new IllegalArgumentException("method \"" + text + "\" is not supported by pgmux; expected "
                    + METHODS);
        }
        try {
            return AuthType.parse(lower);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown method \"" + text + "\"; expected " + METHODS);
        }
    }

    /** PostgreSQL's own rule: only a TLS connection can carry a client certificate. */
    static void checkMethodFitsType(HbaConnectionType type, AuthType method) {
        if (method == AuthType.CERT && type != HbaConnectionType.HOSTSSL) {
            throw new IllegalArgumentException("cert authentication is only supported on hostssl rules");
        }
    }
}
