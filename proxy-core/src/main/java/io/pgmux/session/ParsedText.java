package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * The query text of a client's last Parse and what it does to the session ({@link SessionStatement#of}), so that a
 * client that parses the same text over and over (an unnamed statement run in a loop, as the extended protocol's
 * drivers do by default) has it lexed once: each later Parse costs one comparison of its bytes.
 *
 * <p>The copy is kept in one array reused while the texts fit in it, so a client whose texts change allocates only
 * when a longer one comes; texts longer than {@link #MAX_LENGTH} bytes are not kept (they are lexed each time), so a
 * client holds at most that much here.
 */
final class ParsedText {
    /** Bytes; longer texts are lexed every time rather than held per client. */
    static final int MAX_LENGTH = 2048;

    private byte[] text;
    /** {@link #text} as a buffer to compare with; its writer index is the kept text's length. */
    private ByteBuf view;
    private boolean standardConformingStrings;
    /** The effects of the kept text; null while none is kept. */
    private SessionEffects effects;

    /**
     * The effects of the text at {@code [start, end)} of {@code frame} under the given standard_conforming_strings:
     * the kept ones when it is the text lexed last time, else lexed now with {@code lexer} (and kept).
     */
    SessionEffects effects(ByteBuf frame, int start, int end, boolean standardConformingStrings, SqlLexer lexer) {
        int length = end - start;
        if (effects != null && this.standardConformingStrings == standardConformingStrings
                && view.writerIndex() == length && ByteBufUtil.equals(frame, start, view, 0, length)) {
            return effects;
        }
        SessionEffects fresh = SessionStatement.of(frame, start, end, standardConformingStrings, lexer);
        keep(frame, start, length, standardConformingStrings, fresh);
        return fresh;
    }

    private void keep(ByteBuf frame, int start, int length, boolean standardConformingStrings, SessionEffects fresh) {
        if (length > MAX_LENGTH) {
            effects = null;
            return;
        }
        if (text == null || text.length < length) {
            text = new byte[Math.max(length, 64)];
            view = Unpooled.wrappedBuffer(text);
        }
        view.setBytes(0, frame, start, length);
        view.writerIndex(length);
        this.standardConformingStrings = standardConformingStrings;
        effects = fresh;
    }
}
