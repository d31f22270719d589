package io.pgmux.tls;

import io.pgmux.config.SslMode;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.List;

/**
 * The steps libpq takes for each sslmode when it logs in ("SSL Support" in the libpq documentation), for pgmux's
 * own server logins: which attempts to make, and what the server's one-byte answer to SSLRequest means.
 *
 * <ul>
 *   <li>disable: one plaintext attempt;
 *   <li>allow: plaintext first; when the server refuses it, once more with TLS;
 *   <li>prefer: SSLRequest, carrying on in plaintext when the server answers {@code N}; when the TLS handshake
 *       or the login over TLS is refused, once more in plaintext;
 *   <li>require, verify-ca, verify-full: SSLRequest, and {@code N} fails the login.
 * </ul>
 * A second attempt follows only a refusal that another attempt could change: a failed TLS handshake, or the
 * server's access rules ({@code 28000}, e.g. {@code no pg_hba.conf entry ... no encryption}); never a wrong
 * password ({@code 28P01}), which would only lock accounts faster. (libpq retries after any error.)
 */
public final class ServerTlsNegotiation {
    /** One connection attempt. */
    public enum Attempt {
        /** StartupMessage at once; no TLS. */
        PLAIN,
        /** SSLRequest first; {@code S} starts TLS, {@code N} continues without it. */
        TLS_IF_OFFERED,
        /** SSLRequest first; {@code S} starts TLS, {@code N} fails. */
        TLS
    }

    /** What to do with the byte the server answered SSLRequest with. */
    public enum Response {
        /** Add the SslHandler, then send the StartupMessage over TLS. */
        START_TLS,
        /** Send the StartupMessage in plaintext on the same connection. */
        CONTINUE_PLAIN,
        /** Give up this attempt with {@link #refusal}. */
        FAIL
    }

    private ServerTlsNegotiation() {
    }

    /**
     * The attempts to make, in order; the next one only after a failed TLS handshake or when
     * {@link #retriesAfterError} says so.
     */
    public static List<Attempt> attempts(SslMode mode) {
        switch (mode) {
            case DISABLE:
                return List.of(Attempt.PLAIN);
            case ALLOW:
                return List.of(Attempt.PLAIN, Attempt.TLS);
            case PREFER:
                return List.of(Attempt.TLS_IF_OFFERED, Attempt.PLAIN);
            default:
                return List.of(Attempt.TLS);
        }
    }

    /**
     * The meaning of the server's answer: {@code 'S'} or {@code 'N'}. Anything else (a server too old to know
     * SSLRequest answers with an ErrorResponse, {@code 'E'}) fails the attempt; the caller should close the
     * connection without reading further, as libpq does.
     */
    public static Response onResponse(Attempt attempt, byte answer) {
        if (attempt == Attempt.PLAIN) {
            throw new IllegalStateException("a plaintext attempt sends no SSLRequest");
        }
        if (answer == 'S') {
            return Response.START_TLS;
        }
        if (answer == 'N') {
            return attempt == Attempt.TLS_IF_OFFERED ? Response.CONTINUE_PLAIN : Response.FAIL;
        }
        return Response.FAIL;
    }

    /**
     * The error a {@link Response#FAIL} gives (08001), in libpq's words where it has them; for a server that
     * declined TLS, with a hint of what to set: server_tls_sslmode prefer or disable, or TLS on the server.
     *
     * @param address the server's {@code host:port}
     */
    public static PgError refusalError(String address, byte answer) {
        PgError error = PgError.fatal(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION, "server at " + address
                + ": " + refusal(answer));
        return answer != 'N' ? error : error.withHint("The server does not take TLS connections and"
                + " server_tls_sslmode requires them: set server_tls_sslmode: prefer (TLS when the server offers it) or"
                + " disable in pgmux.yaml, for every database or under this one in databases, or turn ssl on in the"
                + " server's postgresql.conf.");
    }

    /** The operator-facing reason a {@link Response#FAIL} gives, in libpq's words where it has them. */
    private static String refusal(byte answer) {
        return answer == 'N' ? "server does not support SSL, but SSL was required"
                : "received invalid response to SSL negotiation: " + printable(answer);
    }

    /**
     * Whether an attempt the server refused with an ErrorResponse during the login is followed by the next one of
     * {@link #attempts}: only for SQLSTATE 28000 (its access rules). A failed TLS handshake always is.
     */
    public static boolean retriesAfterError(String sqlState) {
        return SqlState.INVALID_AUTHORIZATION_SPECIFICATION.equals(sqlState);
    }

    private static String printable(byte answer) {
        return answer >= 0x20 && answer < 0x7F ? "'" + (char) answer + "'" : String.format("0x%02x", answer & 0xFF);
    }
}
