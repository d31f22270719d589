package io.pgmux.session;

import io.pgmux.protocol.PgError;

/** A client asked for something pgmux cannot do in its pool mode; the client gets this error and is closed. */
public final class UnsupportedRequestException extends RuntimeException {
    private final PgError error;

    UnsupportedRequestException(PgError error) {
        super(error.message());
        this.error = error;
    }

    public PgError error() {
        return error;
    }
}
