package io.pgmux.admin.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.admin.spi.ConnectionRow;
import io.pgmux.client.ClientInfo;
import io.pgmux.client.ClientState;
import io.pgmux.pool.ServerInfo;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerState;
import io.pgmux.testing.UnpooledSlot;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerRowsTest {
    private static final InetSocketAddress DB = new InetSocketAddress("10.0.0.2", 5432);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("10.0.0.1", 40001);

    private static ServerInfo server(long id, ServerState state) {
        return new ServerInfo(id, "app", "api", state, DB, LOCAL, 3_000_000_000L, 1_000_000_000L, false, 4242,
                "TLSv1.3/TLS_AES_128_GCM_SHA256", "billing", 5, "web");
    }

    /** A connection with only an id, enough for a client's link. */
    private static ServerConnection connection(long id) {
        return new ServerConnection(id, null, new UnpooledSlot(), 10);
    }

    @Test
    void anActiveServerLinksToItsClientAndShowsWhatTheBackendIs() {
        ClientInfo client = new ClientInfo(0x2a, "api", "app", ClientState.ACTIVE, null, null, 0, 0,
                connection(0x11), "psql", 0, "LISTEN", "");
        ConnectionRow row = ServerRows.of(List.of(server(0x11, ServerState.ACTIVE)), List.of(client), 10_000_000)
                .get(0);
        assertEquals("active", row.state());
        assertEquals("11", row.ptr());
        assertEquals("2a", row.link());
        assertEquals("LISTEN", row.pinnedReason());
        assertEquals(Instant.ofEpochMilli(10_000_000 - 3_000), row.connectTime());
        assertEquals(Instant.ofEpochMilli(10_000_000 - 1_000), row.requestTime());
        assertEquals("10.0.0.2", row.addr());
        assertEquals(5432, row.port());
        assertEquals(40001, row.localPort());
        assertEquals(4242, row.remotePid());
        assertEquals("TLSv1.3/TLS_AES_128_GCM_SHA256", row.tls());
        assertEquals("billing", row.applicationName());
        assertEquals(5, row.preparedStatements());
        assertEquals(0x11, row.id());
        assertEquals("web", row.tenant());
        assertEquals(0, row.waitMicros());
    }

    @Test
    void statesArePgBouncersAndAnUnlinkedServerHasNoLink() {
        assertEquals(List.of("idle", "tested", "tested", "new", "new", "being_canceled"),
                ServerRows.of(List.of(server(1, ServerState.IDLE), server(2, ServerState.CHECKING),
                        server(3, ServerState.RESETTING), server(4, ServerState.CONNECTING),
                        server(5, ServerState.LOGIN), server(6, ServerState.BEING_CANCELED)), List.of(), 0)
                        .stream().map(ConnectionRow::state).toList());
        ConnectionRow idle = ServerRows.of(List.of(server(1, ServerState.IDLE)), List.of(), 0).get(0);
        assertEquals("", idle.link());
        assertNull(idle.pinnedReason());
    }

    @Test
    void aServerNotYetConnectedHasNoAddress() {
        ServerInfo connecting = new ServerInfo(9, "app", "api", ServerState.CONNECTING, null, null, 0, 0, false, 0,
                "", "", 0, null);
        ConnectionRow row = ServerRows.of(List.of(connecting), List.of(), 0).get(0);
        assertNull(row.addr());
        assertEquals(0, row.port());
        assertTrue(row.tls().isEmpty());
    }
}
