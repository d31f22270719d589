package io.pgmux.admin.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One client or server connection: a row of SHOW CLIENTS or SHOW SERVERS (PgBouncer's columns; type C or S comes
 * from the command).
 *
 * @param state              clients: active, idle, waiting, active_cancel_req, waiting_cancel_req; servers:
 *                           active, idle, used, tested, new, active_cancel, being_canceled
 * @param replication        none, logical or physical
 * @param connectTime        when the connection was made
 * @param requestTime        when its last request arrived (clients) or it was last used (servers)
 * @param waitMicros         how long its current request has waited, in microseconds; 0 when none waits
 * @param closeNeeded        the connection will be closed when it is next released (RECONNECT, lifetime)
 * @param ptr                an identifier that {@code link} of the other side refers to
 * @param link               the {@code ptr} of the connection it is linked to; empty when none
 * @param remotePid          servers: the backend's process id; clients: 0
 * @param tls                the TLS version and cipher; empty without TLS
 * @param preparedStatements prepared statements the connection holds
 * @param id                 the number KILL_CLIENT takes
 * @param tenant             the tenant of the connection's user; null for none
 * @param pinnedReason       why the client is pinned to its server (e.g. "LISTEN"); null when it is not
 */
public record ConnectionRow(String user, String database, String replication, String state, String addr, int port,
                            String localAddr, int localPort, Instant connectTime, Instant requestTime,
                            long waitMicros, boolean closeNeeded, String ptr, String link, int remotePid,
                            String tls, String applicationName, int preparedStatements, long id, String tenant,
                            String pinnedReason) {
    public ConnectionRow {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(connectTime, "connectTime");
        Objects.requireNonNull(requestTime, "requestTime");
        Objects.requireNonNull(ptr, "ptr");
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(applicationName, "applicationName");
    }
}
