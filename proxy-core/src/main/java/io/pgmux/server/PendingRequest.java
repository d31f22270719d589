package io.pgmux.server;

import io.pgmux.protocol.PgError;
import java.util.function.Consumer;

/**
 * A request sent to a server whose cycle ends with ReadyForQuery (a Query, a Sync, a FunctionCall). The queue
 * of these says where each response belongs: to the client ({@link #FORWARD}) or to pgmux itself.
 */
sealed interface PendingRequest permits PendingRequest.Forward, PendingRequest.Internal {
    /** A client's own request: its responses go to the client. */
    Forward FORWARD = new Forward();

    final class Forward implements PendingRequest {
        private Forward() {
        }
    }

    /** A statement pgmux sent on its own; its responses are swallowed and its outcome reported once. */
    final class Internal implements PendingRequest {
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
