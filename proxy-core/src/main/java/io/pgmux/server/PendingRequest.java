package io.pgmux.server;

import io.pgmux.protocol.PgError;
import java.util.function.Consumer;

/** Requests pgmux sends on its own behalf, whose answers it swallows. */
final class PendingRequest {
    private PendingRequest() {
    }

    /** A Query of pgmux's own; its outcome (the first error, or null) is reported once. */
    static final class Internal {
        private final Consumer<PgError> onDone;
        private PgError error;

        Internal(Consumer<PgError> onDone) {
            this.onDone = onDone;
        }

        void failed(PgError newError) {
            if (error == null) {
                error = newError;
            }
        }

        void complete() {
            onDone.accept(error);
        }
    }
}
