package io.pgmux.admin.live;

import io.pgmux.admin.spi.ConnectionRow;
import io.pgmux.client.ClientInfo;
import io.pgmux.pool.ServerInfo;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * SHOW SERVERS rows from the pools' census of their connections. States as PgBouncer names them: {@code active}
 * (lent to a client), {@code idle}, {@code tested} (running server_check_query, or the reset of session mode or
 * of a client that left mid-transaction), {@code new} (connecting or logging in), {@code being_canceled} (held until
 * PostgreSQL has answered a cancel sent for it). ptr is the server's id in hex and link the id of the client it
 * serves, as SHOW CLIENTS' ptr; request_time is when it last went back to its pool; pinned_reason is its client's.
 */
final class ServerRows {
    private ServerRows() {
    }

    static List<ConnectionRow> of(List<ServerInfo> servers, List<ClientInfo> clients, long nowMillis) {
        Map<Long, ClientInfo> clientOf = new HashMap<>();
        for (ClientInfo c : clients) {
            if (c.server() != null) {
                clientOf.put(c.server().id(), c);
            }
        }
        List<ConnectionRow> rows = new ArrayList<>(servers.size());
        for (ServerInfo s : servers) {
            ClientInfo client = clientOf.get(s.id());
            rows.add(new ConnectionRow(s.user(), s.database(), "none", state(s), host(s.remote()), port(s.remote()),
                    host(s.local()), port(s.local()), ago(nowMillis, s.ageNanos()), ago(nowMillis, s.sinceUsedNanos()),
                    0, s.closeNeeded(), Long.toHexString(s.id()), client == null ? "" : Long.toHexString(client.id()),
                    s.remotePid(), s.tls(), s.applicationName(), s.preparedStatements(), s.id(), s.tenant(),
                    client == null ? null : client.pinReason()));
        }
        return rows;
    }

    static String state(ServerInfo s) {
        switch (s.state()) {
            case ACTIVE:
                return "active";
            case IDLE:
                return "idle";
            case CHECKING:
            case RESETTING:
                return "tested";
            case CONNECTING:
            case LOGIN:
                return "new";
            case BEING_CANCELED:
                return "being_canceled";
            default:
                throw new IllegalArgumentException("SHOW SERVERS lists no " + s.state() + " server: " + s);
        }
    }

    private static Instant ago(long nowMillis, long nanos) {
        return Instant.ofEpochMilli(nowMillis - TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    private static String host(SocketAddress address) {
        return address instanceof InetSocketAddress ? ((InetSocketAddress) address).getHostString() : null;
    }

    private static int port(SocketAddress address) {
        return address instanceof InetSocketAddress ? ((InetSocketAddress) address).getPort() : 0;
    }
}
