package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.backend.DataRow;
import java.util.List;
import java.util.function.Consumer;

/** Requests pgmux sends on its own behalf, whose answers it swallows. */
final class PendingRequest {
    private PendingRequest() {
    }

    /** A Query of pgmux's own; its rows go to {@code onRow} (if any), its outcome (the first error, or null) once. */
    static final class Internal {
        private final Consumer<List<String>> onRow;
        private final Consumer<PgError> onDone;
        private PgError error;

        Internal(Consumer<List<String>> onRow, Consumer<PgError> onDone) {
            this.onRow = onRow;
            this.onDone = onDone;
        }

        /** An answer to the query; only DataRows are read, and only when someone asked for the rows. */
        void received(ByteBuf frame) {
            if (onRow != null && frame.getByte(frame.readerIndex()) == BackendTag.DATA_ROW) {
                onRow.accept(DataRow.decode(frame.duplicate().skipBytes(5)).values());
            }
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
