package io.pgmux.admin.live;

import io.pgmux.admin.spi.ConnectionRow;
import io.pgmux.client.ClientInfo;
import io.pgmux.client.ClientState;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.TenantConfig;
import io.pgmux.server.ServerConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SHOW CLIENTS rows from the clients' own records. States as PgBouncer names them: {@code waiting} for a client
 * queued for a server (or for the first server of its pool at login), {@code active} for any other logged-in one.
 * ptr is the client's id in hex, link the server's id in hex; remote_pid is 0 for clients, as in PgBouncer.
 */
final class ClientRows {
    private ClientRows() {
    }

    static List<ConnectionRow> of(List<ClientInfo> clients, PgmuxConfig config, long nowMillis, long nowNanos) {
        List<ConnectionRow> rows = new ArrayList<>(clients.size());
        for (ClientInfo c : clients) {
            if (c.user() == null || c.database() == null || c.state() == ClientState.CLOSED) {
                continue;
            }
            boolean waiting = c.state() == ClientState.WAITING || c.state() == ClientState.LOGIN_WAIT;
            long sinceRequestNanos = Math.max(0, nowNanos - c.lastRequestNanos());
            boolean requested = c.lastRequestNanos() != 0;
            // No request seen (a console client, a login in progress): PgBouncer shows the connect time.
            Instant requestTime = requested
                    ? Instant.ofEpochMilli(nowMillis - TimeUnit.NANOSECONDS.toMillis(sinceRequestNanos))
                    : Instant.ofEpochMilli(c.connectedAtMillis());
            long waitMicros = waiting && requested ? TimeUnit.NANOSECONDS.toMicros(sinceRequestNanos) : 0;
            ServerConnection server = c.server();
            rows.add(new ConnectionRow(c.user(), c.database(), "none", waiting ? "waiting" : "active",
                    host(c.remote()), port(c.remote()), host(c.local()), port(c.local()),
                    Instant.ofEpochMilli(c.connectedAtMillis()),
                    requestTime, waitMicros, false, Long.toHexString(c.id()),
                    server == null ? "" : Long.toHexString(server.id()), 0, c.tls() == null ? "" : c.tls(),
                    c.applicationName() == null ? "" : c.applicationName(), c.preparedStatements(), c.id(),
                    config.tenantOf(c.user()).map(TenantConfig::name).orElse(null), c.pinReason()));
        }
        return rows;
    }

    private static String host(SocketAddress address) {
        return address instanceof InetSocketAddress ? ((InetSocketAddress) address).getHostString() : null;
    }

    private static int port(SocketAddress address) {
        return address instanceof InetSocketAddress ? ((InetSocketAddress) address).getPort() : 0;
    }
}
