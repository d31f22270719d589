package io.pgmux.server;

/**
 * The owner's record of one server connection, handed to the connection when it is made: the connection reports
 * its life to it ({@link ServerEvents}) and reads its {@link ServerState} from it. The owner (the pool) keeps each
 * connection on one list per state and changes the state only together with the list, through
 * {@link #changeState}, which nothing else can call.
 */
public abstract class ServerSlot implements ServerEvents {
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
        state = next;
    }
}
