package io.pgmux.server;

import io.pgmux.protocol.PgError;

/** The upstream refused a login, or the login could not be carried out. */
public final class LoginFailedException extends RuntimeException {
    private final PgError error;
    private final boolean retryable;

    public LoginFailedException(PgError error, boolean retryable) {
        super(error.toString());
        this.error = error;
        this.retryable = retryable;
    }

    public PgError error() {
        return error;
    }

    public boolean retryable() {
        return retryable;
    }

    /**
     * Whether an error the upstream sent during login may go away on its own: the database starting up or
     * shutting down, out of connection slots, resources, or a connection problem. Authentication and catalog
     * errors will not.
     */
    public static boolean isRetryable(String sqlState) {
        return sqlState.startsWith("08") || sqlState.startsWith("53") || sqlState.startsWith("57P")
                || sqlState.startsWith("58");
    }
}
