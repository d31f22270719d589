package io.pgmux.client;

import io.pgmux.protocol.PgError;

/** A client asked for something pgmux cannot do in its pool mode; the client gets this error and is closed. */
final class UnsupportedRequestException extends RuntimeException {
    private final PgError error;

    UnsupportedRequestException(PgError error) {
        super(error.message());
        this.error = error;
    }

    PgError error() {
        return error;
    }
}
