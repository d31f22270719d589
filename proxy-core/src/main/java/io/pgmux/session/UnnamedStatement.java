package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.pgmux.server.Outcome;
import java.util.ArrayDeque;

/**
 * A client's unnamed prepared statement. PostgreSQL keeps it until the next unnamed Parse or simple Query, across
 * Syncs (protocol docs, "Extended Query"); in transaction mode the client may bind it on another server than the
 * one it was parsed on, so pgmux keeps what it sent as the Parse, to send it again where it is needed.
 *
 * <p>Each Parse gets a number, so that a server knows whether the unnamed statement it holds is this one (see
 * {@code PreparedOnServer#hasUnnamed}). The bytes are copied only when the text changes: a client that runs the
 * same statement over and over allocates nothing here.
 *
 * <p>What the client's next message finds is the newest change sent: a Parse defines the statement, a Query or a
 * Close of it drops it. What the backend holds is known only from the answers, which come in the order the changes
 * were sent; this is the {@link Outcome} of every change whose answer matters: one instance, so that the frequent
 * unnamed Parse allocates nothing. A change that succeeded is what the backend holds; a Parse that failed, or a
 * Query, leaves none (PostgreSQL drops the old statement before it parses the new text or runs the Query); a
 * change the backend skipped after an earlier error leaves what was there. Once nothing is outstanding the newest
 * state is what the backend holds: a skipped change is undone.
 */
final class UnnamedStatement implements Outcome {
    /** The newest change's result: what the client's next message finds. */
    private final Result newest = new Result();
    /** What the backend holds by the answers so far; the same as {@link #newest} while nothing is outstanding. */
    private final Result settled = new Result();
    /** Changes sent and not answered yet. */
    private int outstanding;
    /** The results of the outstanding changes before the newest, oldest first: made when two are outstanding. */
    private ArrayDeque<Result> older;
    /** The number of the last Parse sent. */
    private long lastNumber;
    /** Whether a Sync went out behind the newest change (while it is outstanding). */
    private boolean newestBehindSync;

    /**
     * A Parse of the unnamed statement is sent with the definition at {@code [start, end)} of {@code frame} (the
     * bytes after the name: query text, its NUL, the parameter types).
     *
     * @return the Parse's number
     */
    long parsed(ByteBuf frame, int start, int end, SqlCommand newCommand, Statement newTarget) {
        changeSent();
        if (!sameAs(frame, start, end)) {
            newest.definition = ByteBufUtil.getBytes(frame, start, end - start);
            newest.view = Unpooled.wrappedBuffer(newest.definition);
        }
        return define(newCommand, newTarget);
    }

    /**
     * A Parse of the unnamed statement is sent with the definition {@link #sameAs} found equal to the kept one.
     *
     * @return the Parse's number
     */
    long parsedAgain(SqlCommand newCommand, Statement newTarget) {
        changeSent();
        return define(newCommand, newTarget);
    }

    private long define(SqlCommand newCommand, Statement newTarget) {
        newest.defined = true;
        newest.command = newCommand;
        newest.target = newTarget;
        newest.number = ++lastNumber;
        return newest.number;
    }

    /**
     * A simple Query or a Close of the unnamed statement is sent: it drops the statement. Its answer is to come to
     * {@link #done} or {@link #skipped} in its turn.
     */
    void dropSent() {
        changeSent();
        newest.defined = false;
    }

    /**
     * A Query or Close that drops the statement whatever comes before it, with no change outstanding: no answer is
     * waited for.
     */
    void dropped() {
        if (outstanding != 0) {
            throw new IllegalStateException("a certain drop of the unnamed statement with changes outstanding");
        }
        newest.defined = false;
        settled.defined = false;
    }

    private void changeSent() {
        if (outstanding > 0) {
            if (older == null) {
                older = new ArrayDeque<>();
            }
            older.add(newest.copy());
        }
        outstanding++;
        newestBehindSync = false;
    }

    /**
     * A Sync (or a Query the backend answers whatever came before it) went out behind the changes sent so far: a
     * message after it reads what their answers leave, which an error before it no longer skips.
     */
    void syncSent() {
        if (outstanding > 0) {
            newestBehindSync = true;
        }
    }

    /** Whether a change was sent that is not answered yet: a drop must then be answered to be placed in order. */
    boolean changesOutstanding() {
        return outstanding > 0;
    }

    /**
     * Whether the newest change is not answered yet and a Sync went out behind it: then what a Bind or Describe of
     * the statement finds is known only from its answer (a Parse that fails leaves none, a change skipped leaves the
     * one before). In the change's own batch no wait is needed: after its error the backend skips the Bind too.
     */
    boolean newestInDoubt() {
        return outstanding > 0 && newestBehindSync;
    }

    /** The answer to the oldest change not yet answered: the backend ran it (succeeded or not). */
    @Override
    public void done(boolean succeeded) {
        Result result = oldest();
        if (succeeded) {
            settled.set(result);
        } else {
            settled.defined = false;
        }
        answered();
    }

    /** The oldest change not yet answered was skipped by the backend after an earlier error: nothing changed. */
    @Override
    public void skipped() {
        oldest();
        answered();
    }

    private Result oldest() {
        if (outstanding == 0) {
            throw new IllegalStateException("an answer to a change of the unnamed statement that was never sent");
        }
        return older == null || older.isEmpty() ? newest : older.poll();
    }

    private void answered() {
        if (--outstanding == 0) {
            newest.set(settled);
        }
    }

    /**
     * Whether the definition at {@code [start, end)} of {@code frame} (as for {@link #parsed}) is the kept one, byte
     * for byte: then what the last Parse's text was classified as ({@link #command}) holds for this one too.
     */
    boolean sameAs(ByteBuf frame, int start, int end) {
        int length = end - start;
        byte[] definition = newest.definition;
        return definition != null && definition.length == length
                && ByteBufUtil.equals(frame, start, newest.view, 0, length);
    }

    boolean isDefined() {
        return newest.defined;
    }

    long number() {
        return newest.number;
    }

    byte[] definition() {
        return newest.definition;
    }

    SqlCommand command() {
        return newest.command;
    }

    Statement target() {
        return newest.target;
    }

    /**
     * One state of the statement. The definition stays when the statement is dropped: a Parse of the same bytes
     * after it is recognised without a copy.
     */
    private static final class Result {
        boolean defined;
        byte[] definition;
        /** {@link #definition} as a buffer, to compare the next Parse with. */
        ByteBuf view;
        long number;
        /** What executing it does to the client's names (DEALLOCATE), or null. */
        SqlCommand command;
        /** The statement a DEALLOCATE of one name drops. */
        Statement target;

        Result copy() {
            Result copy = new Result();
            copy.set(this);
            return copy;
        }

        void set(Result other) {
            defined = other.defined;
            if (other.definition != null) {
                definition = other.definition;
                view = other.view;
            }
            number = other.number;
            command = other.command;
            target = other.target;
        }
    }
}
