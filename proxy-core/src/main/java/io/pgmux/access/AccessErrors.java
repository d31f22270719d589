package io.pgmux.access;

import io.netty.util.NetUtil;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;

/**
 * The FATAL errors of client authentication, worded as PostgreSQL words them (its auth.c, PostgreSQL 15), so
 * clients and the people reading their logs see what a direct connection would show. The host is the client's
 * address in numeric form, as PostgreSQL prints it ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}).
 */
public final class AccessErrors {
    private AccessErrors() {
    }

    /**
     * No access rule covers the connection, or {@code client_tls_sslmode} demands TLS the client did not use:
     * {@code no pg_hba.conf entry for host "...", user "...", database "...", no encryption} (28000).
     */
    public static PgError noHbaEntry(LoginAttempt attempt) {
        return PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "no pg_hba.conf entry for host \""
                + host(attempt) + "\", user \"" + attempt.user() + "\", database \"" + attempt.database() + "\", "
                + attempt.encryption().postgresWording());
    }

    /** A {@code reject} rule or auth_type matched (28000). */
    public static PgError hbaRejects(LoginAttempt attempt) {
        return PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "pg_hba.conf rejects connection for"
                + " host \"" + host(attempt) + "\", user \"" + attempt.user() + "\", database \""
                + attempt.database() + "\", " + attempt.encryption().postgresWording());
    }

    /**
     * The {@code password} method on a connection without TLS, where {@code allow_password_without_tls} is off.
     * PostgreSQL has no such refusal; the wording and hint are pgmux's own (28000).
     */
    public static PgError passwordNeedsTls(LoginAttempt attempt) {
        return PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "password authentication for user \""
                + attempt.user() + "\" requires an encrypted connection")
                .withHint("Connect with TLS (sslmode=require): the password would cross the network in cleartext.");
    }

    /** A wrong password, an unknown user or a broken exchange: PostgreSQL's one answer to all three (28P01). */
    public static PgError passwordFailed(String user) {
        return PgError.fatal(SqlState.INVALID_PASSWORD, "password authentication failed for user \"" + user + "\"");
    }

    /** The {@code cert} method without a verified client certificate (28000). */
    public static PgError certificateRequired() {
        return PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                "connection requires a valid client certificate");
    }

    /** The {@code cert} method with a certificate whose CN is not the user, or that has no CN (28000). */
    public static PgError certificateFailed(String user) {
        return PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                "certificate authentication failed for user \"" + user + "\"");
    }

    /** {@code client_tls_sslmode: verify-full} with a certificate whose CN is not the user (28000). */
    public static PgError certificateCnMismatch(String user) {
        return PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                "certificate validation (clientcert=verify-full) failed for user \"" + user + "\": CN mismatch");
    }

    private static String host(LoginAttempt attempt) {
        return NetUtil.toAddressString(attempt.address());
    }
}
