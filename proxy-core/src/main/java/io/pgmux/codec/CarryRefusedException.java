package io.pgmux.codec;

/**
 * A message that spans reads cannot be gathered now: the {@link CarryBudget} shared by every connection has no room
 * for it. The peer, not the process, is at fault only in that its message is large; PostgreSQL reports a memory
 * shortage of a backend as 53200 out_of_memory, which is what a client gets for it (FATAL: its stream cannot be
 * read past the message).
 */
public final class CarryRefusedException extends RuntimeException {
    private final int messageBytes;
    private final long heldBytes;
    private final long limitBytes;

    CarryRefusedException(int messageBytes, long heldBytes, long limitBytes) {
        super("message of " + messageBytes + " bytes cannot be buffered now: partial messages of all clients hold "
                + heldBytes + " of at most " + limitBytes + " bytes; retry later, or send smaller messages"
                + " (a smaller batch, or large values in parts)", null, false, false);
        this.messageBytes = messageBytes;
        this.heldBytes = heldBytes;
        this.limitBytes = limitBytes;
    }

    /** The message's announced size, header included, in bytes. */
    public int messageBytes() {
        return messageBytes;
    }

    /** What other partial messages held when this one was refused, in bytes. */
    public long heldBytes() {
        return heldBytes;
    }

    /** The bound on partial messages of all connections, in bytes. */
    public long limitBytes() {
        return limitBytes;
    }
}
