package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.ProtocolException;

/**
 * The messages a logged-in client may send, and the check of each one's layout as it arrives: pgmux reads
 * names out of some of them and keeps others for a server it does not have yet, so a malformed one must be
 * refused before either happens, never found later on another connection's path.
 */
public final class FrontendMessages {
    private FrontendMessages() {
    }

    /**
     * Checks a frame (tag and length included) of the steady state, Terminate excepted.
     *
     * @throws ProtocolException for a type a client does not send after login, or a body PostgreSQL would
     *                           refuse as malformed
     */
    public static void validate(ByteBuf frame) {
        byte tag = frame.getByte(frame.readerIndex());
        switch (tag) {
            case FrontendTag.PARSE -> Parse.validate(frame);
            case FrontendTag.BIND -> Bind.validate(frame);
            case FrontendTag.DESCRIBE -> Describe.validate(frame);
            case FrontendTag.CLOSE -> Close.validate(frame);
            case FrontendTag.EXECUTE -> Execute.validate(frame);
            case FrontendTag.QUERY -> Query.validate(frame);
            case FrontendTag.FUNCTION_CALL -> FunctionCall.validate(frame);
            case FrontendTag.COPY_FAIL -> CopyFail.validate(frame);
            case FrontendTag.SYNC -> Fields.end(frame, Fields.bodyStart(frame), "Sync");
            case FrontendTag.FLUSH -> Fields.end(frame, Fields.bodyStart(frame), "Flush");
            case FrontendTag.COPY_DONE -> Fields.end(frame, Fields.bodyStart(frame), "CopyDone");
            case FrontendTag.COPY_DATA -> {
                // Any bytes at all.
            }
            default -> throw new ProtocolException("unexpected message type " + printable(tag) + " from the client");
        }
    }

    private static String printable(byte tag) {
        return tag >= 32 && tag < 127 ? "'" + (char) tag + "'" : String.format("\\x%02x", tag & 0xFF);
    }
}
