package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.pgmux.server.Outcome;

/**
 * A client's unnamed prepared statement. PostgreSQL keeps it until the next unnamed Parse or simple Query, across
 * Syncs (protocol docs, "Extended Query"); in transaction mode the client may bind it on another server than the
 * one it was parsed on, so pgmux keeps what it sent as the Parse, to send it again where it is needed.
 *
 * <p>Each Parse gets a number, so that a server knows whether the unnamed statement it holds is this one (see
 * {@code PreparedOnServer#hasUnnamed}). The bytes are copied only when the text changes: a client that runs the
 * same statement over and over allocates nothing here.
 *
 * <p>It is also the {@link Outcome} of its Parses, whose answers come in the order they were sent: one instance, so
 * that the frequent unnamed Parse allocates nothing.
 */
final class UnnamedStatement implements Outcome {
    private byte[] definition;
    /** {@link #definition} as a buffer, to compare the next Parse with. */
    private ByteBuf view;
    private boolean defined;
    private long number;
    /** What executing it does to the client's names (DEALLOCATE), or null. */
    private SqlCommand command;
    /** The statement a DEALLOCATE of one name drops. */
    private Statement target;
    /** The answers to its Parses so far. */
    private long answered;

    /**
     * A Parse of the unnamed statement is sent with the definition at {@code [start, end)} of {@code frame} (the
     * bytes after the name: query text, its NUL, the parameter types).
     *
     * @return the Parse's number
     */
    long parsed(ByteBuf frame, int start, int end, SqlCommand newCommand, Statement newTarget) {
        if (!sameAs(frame, start, end)) {
            definition = ByteBufUtil.getBytes(frame, start, end - start);
            view = Unpooled.wrappedBuffer(definition);
        }
        return parsedAgain(newCommand, newTarget);
    }

    /**
     * A Parse of the unnamed statement is sent with the definition {@link #sameAs} found equal to the kept one.
     *
     * @return the Parse's number
     */
    long parsedAgain(SqlCommand newCommand, Statement newTarget) {
        defined = true;
        command = newCommand;
        target = newTarget;
        return ++number;
    }

    /** The answer to its oldest Parse not yet answered. */
    @Override
    public void done(boolean succeeded) {
        answered++;
        if (!succeeded) {
            parseFailed(answered);
        }
    }

    /**
     * Whether the definition at {@code [start, end)} of {@code frame} (as for {@link #parsed}) is the kept one, byte
     * for byte: then what the last Parse's text was classified as ({@link #command}) holds for this one too.
     */
    boolean sameAs(ByteBuf frame, int start, int end) {
        int length = end - start;
        return definition != null && definition.length == length && ByteBufUtil.equals(frame, start, view, 0, length);
    }

    /** The Parse numbered {@code failed} did not succeed: unless another came after it, there is none now. */
    void parseFailed(long failed) {
        if (failed == number) {
            defined = false;
        }
    }

    /** A simple Query or a Close of the unnamed statement dropped it. */
    void drop() {
        defined = false;
    }

    boolean isDefined() {
        return defined;
    }

    long number() {
        return number;
    }

    byte[] definition() {
        return definition;
    }

    SqlCommand command() {
        return command;
    }

    Statement target() {
        return target;
    }
}
