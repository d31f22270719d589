package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.backend.ErrorResponse;
import java.util.ArrayList;
import java.util.List;

/** What pgmux wrote to a client's in-memory channel, read and released message by message. */
final class WrittenAnswers {
    private WrittenAnswers() {
    }

    /**
     * Each message written since the last call: 'R' with its authentication type, 'E' with its SQLSTATE (the
     * ErrorResponse itself added to {@code errors}), else its type. Asserts nothing was handed on inbound.
     */
    static List<String> read(EmbeddedChannel channel, List<PgError> errors) {
        List<String> answers = new ArrayList<>();
        for (ByteBuf each = channel.readOutbound(); each != null; each = channel.readOutbound()) {
            try {
                while (each.isReadable()) {
                    char type = (char) each.readByte();
                    int length = each.readInt();
                    ByteBuf body = each.readSlice(length - 4);
                    if (type == 'R') {
                        answers.add("R" + body.getInt(body.readerIndex()));
                    } else if (type == 'E') {
                        PgError error = ErrorResponse.decode(body);
                        answers.add("E" + error.sqlState());
                        errors.add(error);
                    } else {
                        answers.add(String.valueOf(type));
                    }
                }
            } finally {
                each.release();
            }
        }
        assertNull(channel.readInbound());
        return answers;
    }

    /** {@link #read(EmbeddedChannel, List)}, the errors' texts not kept. */
    static List<String> read(EmbeddedChannel channel) {
        return read(channel, new ArrayList<>());
    }
}
