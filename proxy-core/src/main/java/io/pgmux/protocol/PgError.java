package io.pgmux.protocol;

import java.util.Objects;

/**
 * An error or notice as PostgreSQL reports it: severity, SQLSTATE, a primary message, and optional detail and
 * hint. pgmux's own errors use this so clients can handle them exactly like the database's.
 */
public record PgError(String severity, String sqlState, String message, String detail, String hint) {
    public static final String FATAL = "FATAL";
    public static final String ERROR = "ERROR";
    public static final String WARNING = "WARNING";
    public static final String NOTICE = "NOTICE";

    public PgError {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(sqlState, "sqlState");
        Objects.requireNonNull(message, "message");
    }

    public static PgError fatal(String sqlState, String message) {
        return new PgError(FATAL, sqlState, message, null, null);
    }

    public static PgError error(String sqlState, String message) {
        return new PgError(ERROR, sqlState, message, null, null);
    }

    public PgError withHint(String newHint) {
        return new PgError(severity, sqlState, message, detail, newHint);
    }

    public PgError withDetail(String newDetail) {
        return new PgError(severity, sqlState, message, newDetail, hint);
    }

    public PgError withSeverity(String newSeverity) {
        return new PgError(newSeverity, sqlState, message, detail, hint);
    }

    public boolean isFatal() {
        return FATAL.equals(severity) || "PANIC".equals(severity);
    }

    @Override
    public String toString() {
        return severity + " " + sqlState + ": " + message + (detail == null ? "" : " (" + detail + ")");
    }
}
