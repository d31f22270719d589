package io.pgmux.server;

import io.pgmux.protocol.PgError;

/** What a server connection reports to the pool that owns it. Called on the connection's event loop. */
public interface ServerEvents {
    /** TCP is up; the StartupMessage is about to go out. */
    void connected(ServerConnection server);

    /** Login finished: the backend said ReadyForQuery for the first time. */
    void loginSucceeded(ServerConnection server);

    /**
     * Connect or login failed.
     *
     * @param retryable whether trying again later may succeed (network trouble, database starting up, out of
     *                  slots) rather than never (wrong password, missing database)
     */
    void loginFailed(ServerConnection server, PgError error, boolean retryable);

    /** The connection is gone, whatever the reason; {@code reason} may be null for an orderly close. */
    void closed(ServerConnection server, PgError reason);
}
