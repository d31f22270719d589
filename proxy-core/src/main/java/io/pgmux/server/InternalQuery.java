package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.backend.DataRow;
import java.util.List;
import java.util.function.Consumer;

/**
 * A Query pgmux sends on its own behalf (settings alignment and readback, reset, check), whose answers it swallows:
 * its rows go to {@code onRow} (if any), its outcome (the first error, or null) to {@code onDone} once.
 */
final class InternalQuery {
    private final Consumer<List<String>> onRow;
    private final Consumer<PgError> onDone;
    private PgError error;

    InternalQuery(Consumer<List<String>> onRow, Consumer<PgError> onDone) {
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
