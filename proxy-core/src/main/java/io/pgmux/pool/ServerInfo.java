package io.pgmux.pool;

import io.pgmux.server.ServerState;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * One server connection as the admin console lists it (a row of SHOW SERVERS), read on the connection's own event
 * loop by {@link PoolManager#servers()}.
 *
 * @param id                 the connection's number (its {@code ptr} in SHOW SERVERS)
 * @param state              the list it sits on in its pool
 * @param remote             the database server's address; null before the connection is made
 * @param local              pgmux's end of it; null before the connection is made
 * @param ageNanos           how long ago it was opened
 * @param sinceUsedNanos     how long ago it last went back to its pool (for an idle one: how long it has idled)
 * @param closeNeeded        it will be closed when it is next free (RECONNECT, a reload changed its target)
 * @param remotePid          the backend's process id; 0 until it has logged in
 * @param tls                the TLS version and cipher, e.g. {@code TLSv1.3/TLS_AES_256_GCM_SHA384}; empty without TLS
 * @param applicationName    the application_name the backend last reported; empty when none
 * @param preparedStatements statements pgmux has prepared on it
 * @param tenant             the tenant of the pool's user; null for none
 * @param preparedNames      pgmux's names of the statements prepared on it now (stale ones left out)
 */
public record ServerInfo(long id, String database, String user, ServerState state, SocketAddress remote,
                         SocketAddress local, long ageNanos, long sinceUsedNanos, boolean closeNeeded, int remotePid,
                         String tls, String applicationName, int preparedStatements, String tenant,
                         java.util.Set<String> preparedNames) {
    public ServerInfo {
        preparedNames = java.util.Set.copyOf(preparedNames);
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(applicationName, "applicationName");
    }

    /** A server whose prepared statements are counted but not named. */
    public ServerInfo(long id, String database, String user, ServerState state, SocketAddress remote,
                      SocketAddress local, long ageNanos, long sinceUsedNanos, boolean closeNeeded, int remotePid,
                      String tls, String applicationName, int preparedStatements, String tenant) {
        this(id, database, user, state, remote, local, ageNanos, sinceUsedNanos, closeNeeded, remotePid, tls,
                applicationName, preparedStatements, tenant, java.util.Set.of());
    }
}
