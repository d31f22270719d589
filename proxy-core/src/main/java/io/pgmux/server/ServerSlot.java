package io.pgmux.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The owner's record of one server connection, handed to the connection when it is made: the connection reports
 * its life to it ({@link ServerEvents}) and reads its {@link ServerState} from it. The owner (the pool) keeps each
 * connection on one list per state and changes the state only together with the list, through
 * {@link #changeState}, which nothing else can call.
 */
public abstract class ServerSlot implements ServerEvents {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ServerSlot.class, "state", ServerState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /*
     * Written with release semantics, read as a volatile: a transaction moves its server twice (ACTIVE, IDLE or
     * handed on), and a volatile write is a full fence each time. One thread at a time writes it (the server's
     * event loop, or the holder of the pool lock, which orders its writes by the lock), so the writes need no
     * total order among themselves; a reader on another thread (a snapshot for SHOW SERVERS or the stats) needs
     * to see a recent state and what was written before it, which release and acquire give. No check pairs this
     * field with another in a store-then-load handshake (the pool's one is the wait queue's size; see
     * PoolCore.release).
     */
    private volatile ServerState state = ServerState.CONNECTING;
    private ServerConnection connection;

    /** The connection this slot belongs to; set when the connection is made. */
    public final ServerConnection connection() {
        return connection;
    }

    void attach(ServerConnection server) {
        if (connection != null) {
            throw new IllegalStateException("slot already belongs to " + connection);
        }
        connection = server;
    }

    /** Readable from any thread. */
    public final ServerState state() {
        return state;
    }

    /**
     * Moves to {@code next}. Only the owner's one move method calls this, after checking nothing else; the caller
     * moves the connection to the list of {@code next} in the same step.
     *
     * @throws IllegalStateException for a move {@link ServerState} does not allow; nothing has changed then
     */
    protected final void changeState(ServerState next) {
        ServerState current = state;
        if (!current.canMoveTo(next)) {
            throw new IllegalStateException((connection == null ? "server" : "server " + connection.id())
                    + ": illegal transition " + current + " -> " + next);
        }
        STATE.setRelease(this, next);
    }
}
