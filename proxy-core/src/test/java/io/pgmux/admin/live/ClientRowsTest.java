package io.pgmux.admin.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pgmux.admin.spi.ConnectionRow;
import io.pgmux.client.ClientInfo;
import io.pgmux.client.ClientState;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientRowsTest {
    private static final PgmuxConfig CONFIG = ConfigLoader.parse("""
            databases:
              app: {host: 10.0.0.2, dbname: app}
            users:
              - {name: api, password: a, tenant: web}
              - {name: etl, password: b}
            tenants:
              web: {pool_size: 4}
            """, "pgmux.yaml", Map.of());

    @Test
    void aWaitingClientShowsItsWaitAndTenant() {
        ClientInfo waiting = new ClientInfo(0x2a, "api", "app", ClientState.WAITING,
                new InetSocketAddress("10.1.1.1", 50000), new InetSocketAddress("10.0.0.1", 6432), 1_000_000,
                5_000_000_000L, null, "psql", 3, null, "TLSv1.3/TLS_AES_256_GCM_SHA384");
        List<ConnectionRow> rows = ClientRows.of(List.of(waiting), CONFIG, 2_000_000, 7_000_000_000L);
        ConnectionRow row = rows.get(0);
        assertEquals("waiting", row.state());
        assertEquals(2_000_000, row.waitMicros());
        assertEquals(Instant.ofEpochMilli(1_000_000), row.connectTime());
        assertEquals(Instant.ofEpochMilli(2_000_000 - 2_000), row.requestTime());
        assertEquals("10.1.1.1", row.addr());
        assertEquals(50000, row.port());
        assertEquals(6432, row.localPort());
        assertEquals("2a", row.ptr());
        assertEquals("", row.link());
        assertEquals("psql", row.applicationName());
        assertEquals(3, row.preparedStatements());
        assertEquals(42, row.id());
        assertEquals("web", row.tenant());
        assertEquals("TLSv1.3/TLS_AES_256_GCM_SHA384", row.tls());
    }

    @Test
    void anIdleClientIsActiveWithoutATenantOrWait() {
        ClientInfo idle = new ClientInfo(7, "etl", "app", ClientState.IDLE, null, null, 0, 0, null, null, 0,
                "LISTEN", "");
        ConnectionRow row = ClientRows.of(List.of(idle), CONFIG, 10, 10).get(0);
        assertEquals("active", row.state());
        assertEquals(0, row.waitMicros());
        assertNull(row.tenant());
        assertEquals("LISTEN", row.pinnedReason());
        assertEquals("", row.applicationName());
        assertEquals("", row.tls());
    }

    @Test
    void aClientWithNoRequestYetShowsItsConnectTime() {
        // A console client: its session reports no last request (0), which is no point on the nanoTime scale.
        ClientInfo console = new ClientInfo(9, "admin", "pgmux", ClientState.ACTIVE, null, null, 1_700_000_000_000L,
                0, null, null, 0, null, "");
        ConnectionRow row = ClientRows.of(List.of(console), CONFIG, 1_700_000_005_000L, 987_654_321_000L).get(0);
        assertEquals(java.time.Instant.ofEpochMilli(1_700_000_000_000L), row.requestTime());
        assertEquals(0, row.waitMicros());
    }
}
