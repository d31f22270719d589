package io.pgmux.server;

import io.netty.buffer.ByteBuf;

/**
 * What a server owes, request by request, in the order it will answer: each entry is a {@link RequestType} (what
 * ends its answers) and a {@link ResponseAction} (what becomes of them), with the action's typed payload. A ring of
 * parallel arrays that grows and never shrinks, so queueing and answering requests allocates nothing once warm.
 * Confined to the server's event loop.
 */
final class ResponseQueue {
    private RequestType[] types = new RequestType[16];
    private ResponseAction[] actions = new ResponseAction[16];
    private Outcome[] outcomes = new Outcome[16];
    private InternalQuery[] internals = new InternalQuery[16];
    private ByteBuf[] replacements = new ByteBuf[16];
    private LocalAnswer[] answers = new LocalAnswer[16];
    /**
     * The entry's mark: how many COPY ends (CopyDone or CopyFail) the client sent right behind it, before a
     * CopyInResponse told pgmux that a COPY had begun (see {@link #markCopyEndAhead}).
     */
    private int[] copyEndsAhead = new int[16];
    private int head;
    private int size;
    /**
     * Syncs sent into the COPY FROM STDIN under way (between the request that began it and the COPY's end), which
     * no entry stands for: the backend ignores each it reads in COPY FROM STDIN, but answers with a ReadyForQuery
     * each it reads after the COPY failed, say on a bad row of an earlier CopyData (protocol docs, "COPY
     * Operations"). Only the COPY's end tells which ({@link #copySucceeded}, {@link #copyRequestDone}).
     */
    private int syncsIntoCopy;
    /**
     * Of the Syncs sent into a COPY that failed, how many the backend may still answer with a ReadyForQuery of
     * their own: it read some of them before the failure and the rest after, and only its answers tell how many.
     */
    private int unsureSyncs;
    /** An error came back for the head request (read by a tracked simple Query, whose outcome waits for RFQ). */
    private boolean headFailed;

    /** A client's request whose answers go to the client. */
    void forward(RequestType type) {
        push(type, ResponseAction.FORWARD);
    }

    /** A client's request whose answers go to the client, and whose success {@code outcome} learns. */
    void track(RequestType type, Outcome outcome) {
        int at = push(type, ResponseAction.TRACK); // before indexing: pushing may grow the arrays
        outcomes[at] = outcome;
    }

    /** A Parse or Close of pgmux's own ahead of a client's message: answers dropped, {@code outcome} told. */
    void swallow(Outcome outcome) {
        int at = push(RequestType.EXTENDED, ResponseAction.SWALLOW); // before indexing: pushing may grow the arrays
        outcomes[at] = outcome;
    }

    /** A Query of pgmux's own. */
    void internal(InternalQuery query) {
        int at = push(RequestType.SIMPLE, ResponseAction.INTERNAL); // before indexing: pushing may grow the arrays
        internals[at] = query;
    }

    /** A stand-in for a refused client message; {@code error} (owned by the queue until taken) goes to the client. */
    void replace(ByteBuf error) {
        replace(RequestType.EXTENDED, error);
    }

    /**
     * {@link #replace(ByteBuf)} for a stand-in of the given type: a Query standing in for a refused simple request
     * is {@link RequestType#SIMPLE}, answered up to a ReadyForQuery that reaches the client.
     */
    void replace(RequestType type, ByteBuf error) {
        int at = push(type, ResponseAction.REPLACE); // before indexing: pushing may grow the arrays
        replacements[at] = error;
    }

    /** An empty Query standing in for a client's simple request that {@code answer} answers. */
    void answer(RequestType type, LocalAnswer answer) {
        int at = push(type, ResponseAction.ANSWER); // before indexing: pushing may grow the arrays
        answers[at] = answer;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The head's request type; only when not empty. */
    RequestType headType() {
        return types[head];
    }

    /** The head's action; only when not empty. */
    ResponseAction headAction() {
        return actions[head];
    }

    /** The head's outcome; only for {@link ResponseAction#TRACK} and {@link ResponseAction#SWALLOW}. */
    Outcome headOutcome() {
        return require(outcomes[head], ResponseAction.TRACK);
    }

    /** The head's query; only for {@link ResponseAction#INTERNAL}. */
    InternalQuery headInternal() {
        return require(internals[head], ResponseAction.INTERNAL);
    }

    /** The head's local answer; only for {@link ResponseAction#ANSWER}. */
    LocalAnswer headAnswer() {
        return require(answers[head], ResponseAction.ANSWER);
    }

    /**
     * Takes the head's ErrorResponse out of the queue (the caller now owns it); only for
     * {@link ResponseAction#REPLACE}, once.
     */
    ByteBuf takeReplacement() {
        ByteBuf error = require(replacements[head], ResponseAction.REPLACE);
        replacements[head] = null;
        return error;
    }

    /**
     * The action of the request a ReadyForQuery would answer now: the first that ends with one (the extended
     * requests before it were skipped), or null when none is queued.
     */
    ResponseAction actionAnsweredByReadyForQuery() {
        int mask = types.length - 1;
        for (int i = 0; i < size; i++) {
            int at = (head + i) & mask;
            if (types[at].endsWithReadyForQuery()) {
                return actions[at];
            }
        }
        return null;
    }

    /** Whether an extended-protocol request is queued with no Sync queued behind it. */
    boolean extendedWithoutSync() {
        int mask = types.length - 1;
        for (int i = size - 1; i >= 0; i--) {
            RequestType type = types[(head + i) & mask];
            if (type == RequestType.SYNC) {
                return false;
            }
            if (type == RequestType.EXTENDED) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a client's request queued here ends with a ReadyForQuery (a simple Query, FunctionCall or Sync);
     * pgmux's own queries do not count.
     */
    boolean clientAwaitsReadyForQuery() {
        int mask = types.length - 1;
        for (int i = 0; i < size; i++) {
            int at = (head + i) & mask;
            if (types[at].endsWithReadyForQuery() && actions[at] != ResponseAction.INTERNAL) {
                return true;
            }
        }
        return false;
    }

    /**
     * Marks the newest entry: the client ended a COPY (CopyDone or CopyFail) right behind it while no COPY FROM
     * STDIN had begun as far as pgmux knows. Sent in one write with the request that starts the COPY, a COPY's end
     * reaches the backend before its CopyInResponse reaches pgmux; the backend reads it as the COPY's end, so that
     * CopyInResponse must not put the conversation in COPY FROM STDIN ({@link #takeCopyEndAhead}). A COPY end with
     * no COPY to end at all is ignored by PostgreSQL, and its mark goes with its entry. Only when not empty.
     */
    void markCopyEndAhead() {
        if (size == 0) {
            throw new IllegalStateException("a COPY end marks the newest request, and none is queued");
        }
        copyEndsAhead[(head + size - 1) & (types.length - 1)]++;
    }

    /**
     * Takes the first COPY end marked since the head ({@link #markCopyEndAhead}): on a CopyInResponse for the head
     * request it is that COPY's end, as the backend reads nothing but COPY messages up to it.
     *
     * @return how far behind the head the entry it marked is (0: the head itself), or -1 when none is marked
     */
    int takeCopyEndAhead() {
        int mask = types.length - 1;
        for (int i = 0; i < size; i++) {
            int at = (head + i) & mask;
            if (copyEndsAhead[at] > 0) {
                copyEndsAhead[at]--;
                return i;
            }
        }
        return -1;
    }

    /**
     * Removes the {@link RequestType#SYNC} entries from just behind the head up to {@code through} entries behind
     * it: Syncs the backend ignores, as they reach it in COPY FROM STDIN (sent between the request that began the
     * COPY and its CopyDone or CopyFail, or before its CopyInResponse came when the end has not been sent yet). A
     * COPY end marked on a removed entry moves to the entry before it.
     *
     * @return how many were removed
     */
    int removeSyncsAfterHead(int through) {
        int mask = types.length - 1;
        int removed = 0;
        for (int i = Math.min(through, size - 1); i >= 1; i--) {
            int at = (head + i) & mask;
            if (types[at] == RequestType.SYNC) {
                copyEndsAhead[(head + i - 1) & mask] += copyEndsAhead[at];
                removeAt(i);
                removed++;
            }
        }
        return removed;
    }

    /** {@code count} Syncs went into the COPY FROM STDIN under way, or into the one the head request begins. */
    void syncsSentIntoCopy(int count) {
        syncsIntoCopy += count;
    }

    /**
     * The COPY under way ended with its CommandComplete: the backend read all it was sent up to the COPY's end in
     * COPY FROM STDIN, so it ignored every Sync sent into it.
     */
    void copySucceeded() {
        syncsIntoCopy = 0;
    }

    /**
     * The request that began a COPY is answered and gone. If the COPY failed, the backend answers each Sync sent
     * into it that it had not read yet: those are unsure from now on ({@link #unsureSyncs}).
     */
    void copyRequestDone() {
        unsureSyncs += syncsIntoCopy;
        syncsIntoCopy = 0;
    }

    /** Whether Syncs sent into a COPY are yet to be found ignored or answered: the answers must be read whole. */
    boolean syncsInDoubt() {
        return syncsIntoCopy > 0 || unsureSyncs > 0;
    }

    /** How many Syncs sent into a failed COPY the backend may still answer with a ReadyForQuery. */
    int unsureSyncs() {
        return unsureSyncs;
    }

    /** A bare ReadyForQuery answered one of the {@link #unsureSyncs}; only when there are any. */
    void unsureSyncAnswered() {
        if (unsureSyncs == 0) {
            throw new IllegalStateException("no Sync sent into a failed COPY is waiting for an answer");
        }
        unsureSyncs--;
    }

    /**
     * The backend answered something sent after the {@link #unsureSyncs}: it has read them all, and those it has not
     * answered it read in COPY FROM STDIN, which ignored them.
     */
    void unsureSyncsIgnored() {
        unsureSyncs = 0;
    }

    /** Notes that an error came back for the head request. */
    void markHeadFailed() {
        headFailed = true;
    }

    boolean headFailed() {
        return headFailed;
    }

    /** Removes the head, releasing an ErrorResponse nobody took. */
    void pop() {
        int at = head;
        types[at] = null;
        actions[at] = null;
        outcomes[at] = null;
        internals[at] = null;
        answers[at] = null;
        copyEndsAhead[at] = 0;
        ByteBuf untaken = replacements[at];
        if (untaken != null) {
            replacements[at] = null;
            untaken.release();
        }
        head = (head + 1) & (types.length - 1);
        size--;
        headFailed = false;
    }

    /** Removes the entry {@code offset} behind the head, a Sync (it carries no payload), shifting those behind it. */
    private void removeAt(int offset) {
        int mask = types.length - 1;
        for (int j = offset; j < size - 1; j++) {
            move((head + j + 1) & mask, (head + j) & mask);
        }
        int last = (head + size - 1) & mask;
        types[last] = null;
        actions[last] = null;
        outcomes[last] = null;
        internals[last] = null;
        replacements[last] = null;
        answers[last] = null;
        copyEndsAhead[last] = 0;
        size--;
    }

    private void move(int from, int to) {
        types[to] = types[from];
        actions[to] = actions[from];
        outcomes[to] = outcomes[from];
        internals[to] = internals[from];
        replacements[to] = replacements[from];
        answers[to] = answers[from];
        copyEndsAhead[to] = copyEndsAhead[from];
    }

    private int push(RequestType type, ResponseAction action) {
        if (size == types.length) {
            grow();
        }
        int at = (head + size) & (types.length - 1);
        types[at] = type;
        actions[at] = action;
        size++;
        return at;
    }

    private <T> T require(T payload, ResponseAction expected) {
        if (payload == null) {
            throw new IllegalStateException("the head request (" + headType() + ", " + headAction()
                    + ") carries no payload of a " + expected + " request");
        }
        return payload;
    }

    private void grow() {
        int capacity = types.length * 2;
        RequestType[] newTypes = new RequestType[capacity];
        ResponseAction[] newActions = new ResponseAction[capacity];
        Outcome[] newOutcomes = new Outcome[capacity];
        InternalQuery[] newInternals = new InternalQuery[capacity];
        ByteBuf[] newReplacements = new ByteBuf[capacity];
        LocalAnswer[] newAnswers = new LocalAnswer[capacity];
        int[] newCopyEndsAhead = new int[capacity];
        for (int i = 0; i < size; i++) {
            int at = (head + i) & (types.length - 1);
            newTypes[i] = types[at];
            newActions[i] = actions[at];
            newOutcomes[i] = outcomes[at];
            newInternals[i] = internals[at];
            newReplacements[i] = replacements[at];
            newAnswers[i] = answers[at];
            newCopyEndsAhead[i] = copyEndsAhead[at];
        }
        types = newTypes;
        actions = newActions;
        outcomes = newOutcomes;
        internals = newInternals;
        replacements = newReplacements;
        answers = newAnswers;
        copyEndsAhead = newCopyEndsAhead;
        head = 0;
    }
}
