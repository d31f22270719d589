package io.pgmux.client;

import io.pgmux.server.ServerConnection;
import java.net.SocketAddress;

/**
 * What the console shows of one logged-in client (a row of SHOW CLIENTS), read on the client's event loop for the
 * console (see {@link ClientConnection#info()}).
 *
 * @param id               the client's number for KILL_CLIENT (the process id of its BackendKeyData)
 * @param connectedAtMillis wall-clock time of the connection, in epoch milliseconds
 * @param lastRequestNanos when the client last sent a message ({@link System#nanoTime()})
 * @param server           the server it is linked to; null when none
 * @param pinReason        why it keeps its server beyond a transaction; null when it does not
 * @param tls              the TLS version and cipher, e.g. {@code TLSv1.3/TLS_AES_256_GCM_SHA384}; empty without TLS
 * @param heldStatements   the statements it holds under names of its own, as pgmux's server-side name to query
 *                         text; empty where pgmux does not track them (session mode)
 */
public record ClientInfo(long id, String user, String database, ClientState state, SocketAddress remote,
                         SocketAddress local, long connectedAtMillis, long lastRequestNanos,
                         ServerConnection server, String applicationName, int preparedStatements,
                         String pinReason, String tls, java.util.Map<String, String> heldStatements) {
    public ClientInfo {
        heldStatements = java.util.Map.copyOf(heldStatements);
    }

    /** A client whose statements are counted but not listed. */
    public ClientInfo(long id, String user, String database, ClientState state, SocketAddress remote,
                      SocketAddress local, long connectedAtMillis, long lastRequestNanos, ServerConnection server,
                      String applicationName, int preparedStatements, String pinReason, String tls) {
        this(id, user, database, state, remote, local, connectedAtMillis, lastRequestNanos, server,
                applicationName, preparedStatements, pinReason, tls, java.util.Map.of());
    }

    /**
     * What the phase serving a client knows of it.
     *
     * @param lastRequestNanos when the client last sent a message; 0 when unknown
     * @param server           the linked server; null when none
     * @param preparedStatements prepared statements the client holds under names of its own
     * @param heldStatements   those statements, as pgmux's server-side name to query text
     */
    public record Session(long lastRequestNanos, ServerConnection server, String applicationName,
                          String pinReason, int preparedStatements, java.util.Map<String, String> heldStatements) {
        public static final Session NONE = new Session(0, null, null, null, 0, java.util.Map.of());
    }
}
