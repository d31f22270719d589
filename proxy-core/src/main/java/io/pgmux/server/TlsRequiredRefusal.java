package io.pgmux.server;

import io.pgmux.config.SslMode;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An upstream's refusal of a login because it takes only TLS connections and pgmux came without TLS, and the
 * setting that fixes it. PostgreSQL itself refuses with 28000 {@code no pg_hba.conf entry for host "...", user
 * "...", database "...", no encryption} (auth.c, ClientAuthentication; {@code SSL off} before PostgreSQL 14) when
 * pg_hba.conf has only {@code hostssl} lines for the client; managed databases and PostgreSQL-compatible servers
 * say it in words of their own, such as {@code SSL connection is required. Please specify SSL options and retry.}
 */
public final class TlsRequiredRefusal {
    /** pg_hba.conf's refusal of a connection without encryption, by PostgreSQL 14 and later and by older ones. */
    private static final Pattern NO_HBA_ENTRY_WITHOUT_TLS = Pattern.compile(
            "no pg_hba\\.conf entry for .*, (no encryption|ssl off)");
    /** Other servers' words for it; not pgmux's own "server does not support SSL, but SSL was required". */
    private static final Pattern TLS_REQUIRED = Pattern.compile(
            "(ssl|tls|encrypted) connections? (is |are )?required|(ssl|tls) is required"
                    + "|requires? (an? )?(ssl|tls|encrypted) connection");

    private TlsRequiredRefusal() {
    }

    /** Whether {@code error}, a server's answer to a login, refuses it for coming without TLS. */
    public static boolean is(PgError error) {
        String message = error.message().toLowerCase(Locale.ROOT);
        boolean noRuleWithoutTls = error.sqlState().equals(SqlState.INVALID_AUTHORIZATION_SPECIFICATION)
                && NO_HBA_ENTRY_WITHOUT_TLS.matcher(message).find();
        return noRuleWithoutTls || TLS_REQUIRED.matcher(message).find();
    }

    /**
     * What to set, for a login made with server_tls_sslmode {@code mode}: server_tls_sslmode require, or verify-full
     * with server_tls_ca_file (README, "Authentication, access rules and TLS"), for every database or for this one.
     */
    public static String hint(SslMode mode) {
        return "The database takes only TLS connections and pgmux connected without TLS (server_tls_sslmode "
                + mode.configName() + "): set server_tls_sslmode: require in pgmux.yaml, or verify-full with"
                + " server_tls_ca_file to check the server's certificate, for every database or under this one in"
                + " databases.";
    }
}
