package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolFixture.Client;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pools' side of fleet leases: a shared budget opens only what the leases allow, and closes what they lost. */
class LeasedBudgetsTest {
    private static final String TENANT = "tenant t on database app";
    private static final String FLEET = """
            auth_type: trust
            query_wait_timeout: 10s
            databases:
              app: {host: db, port: 5432}
            users:
              - {name: u, tenant: t}
            tenants:
              t: {pool_size: 4}
            fleet: {enabled: true, name: f}
            """;

    private PoolFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static LeasedBudgets.Use use(LeasedBudgets leases, String key) {
        return leases.usage().stream().filter(u -> u.key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void aFleetBudgetOpensNothingUntilLeasedThenExactlyWhatTheLeasesAllow() {
        fixture = new PoolFixture(1, FLEET);
        LeasedBudgets leases = fixture.pools.leasedBudgets();
        ServerPool pool = fixture.pool("app", "u");
        Client a = fixture.client(0);
        Client b = fixture.client(0);
        Client c = fixture.client(0);
        fixture.acquire(pool, a);
        fixture.acquire(pool, b);
        fixture.acquire(pool, c);
        assertEquals(0, fixture.connectsPending(), "no lease, no connection");
        LeasedBudgets.Use before = use(leases, TENANT);
        assertEquals(3, before.waiting());
        assertTrue(before.shortOfLeases());

        leases.allow(Map.of(TENANT, 2));
        fixture.loops.runAll();
        assertEquals(2, fixture.connectsPending(), "two leases, two connections");
        fixture.acceptAll();
        assertTrue(a.hasServer() && b.hasServer());
        assertFalse(c.hasServer());
        LeasedBudgets.Use after = use(leases, TENANT);
        assertEquals(2, after.used());
        assertEquals(2, after.leased());
        assertTrue(after.shortOfLeases(), "c still waits for a lease");
    }

    @Test
    void aLoweredAllowanceClosesIdleServersAndBusyOnesAsTheyComeBack() {
        fixture = new PoolFixture(1, FLEET);
        LeasedBudgets leases = fixture.pools.leasedBudgets();
        ServerPool pool = fixture.pool("app", "u");
        leases.allow(Map.of(TENANT, 2));
        Client a = fixture.client(0);
        Client b = fixture.client(0);
        fixture.acquire(pool, a);
        fixture.acquire(pool, b);
        List<ServerConnection> servers = fixture.acceptAll();
        ServerConnection idle = a.server;
        ServerConnection busy = b.server;
        fixture.release(a);
        assertEquals(ServerState.IDLE, idle.state());

        leases.allow(Map.of(TENANT, 0));
        fixture.loops.runAll();
        assertEquals(ServerState.CLOSING, idle.state(), "idle beyond the leases: closed at once");
        assertEquals(ServerState.ACTIVE, busy.state(), "a busy one serves its client to the end");
        fixture.release(b);
        assertEquals(ServerState.CLOSING, busy.state(), "and closes when given back");
        assertEquals(2, use(leases, TENANT).used(), "closing servers count until their backends have gone");
        fixture.hangUpClosing();
        fixture.loops.runAll();
        assertEquals(0, use(leases, TENANT).used());
        assertEquals(2, servers.size());
    }

    @Test
    void aBudgetAReloadDroppedIsReportedWithNoSlotsUntilItsConnectionsAndLeasesAreGone() {
        fixture = new PoolFixture(1, FLEET);
        LeasedBudgets leases = fixture.pools.leasedBudgets();
        ServerPool pool = fixture.pool("app", "u");
        leases.allow(Map.of(TENANT, 1));
        Client a = fixture.client(0);
        fixture.acquire(pool, a);
        fixture.acceptAll();
        fixture.pools.reconfigure(PoolFixture.config(FLEET.replace("t: {pool_size: 4}", "t2: {pool_size: 4}")
                .replace("{name: u, tenant: t}", "{name: u, tenant: t2}")));
        LeasedBudgets.Use dropped = use(leases, TENANT);
        assertEquals(0, dropped.limit() + dropped.reserve(), "no slots: the keeper gives its leases back");
        assertEquals(1, dropped.used(), "its server still counts against it");
        fixture.release(a);
        fixture.hangUpClosing();
        fixture.loops.runAll();
        leases.allow(Map.of(TENANT, 0));
        assertTrue(leases.usage().stream().noneMatch(u -> u.key().equals(TENANT)),
                "forgotten once nothing counts against it");
    }

    @Test
    void waitersCountForTheDatabaseBudgetOnlyWhileTheirTenantsHasRoom() {
        fixture = new PoolFixture(1, FLEET.replace("app: {host: db, port: 5432}",
                "app: {host: db, port: 5432, max_connections: 6}"));
        String database = "database app";
        LeasedBudgets leases = fixture.pools.leasedBudgets();
        ServerPool pool = fixture.pool("app", "u");
        leases.allow(Map.of(TENANT, 1, database, 4));
        fixture.loops.runAll();
        for (int i = 0; i < 3; i++) {
            fixture.acquire(pool, fixture.client(0));
        }
        fixture.loops.runAll();
        fixture.acceptAll();
        LeasedBudgets.Use tenant = use(leases, TENANT);
        LeasedBudgets.Use db = use(leases, database);
        assertTrue(tenant.shortOfLeases());
        assertEquals(2, tenant.waiting());
        assertFalse(db.shortOfLeases(), "another database lease would serve no one: the tenant has none to spare");
        assertEquals(0, db.waiting());

        leases.allow(Map.of(TENANT, 3, database, 1));
        fixture.loops.runAll();
        db = use(leases, database);
        assertTrue(db.shortOfLeases(), "now the database's lease is what the waiters lack");
        assertEquals(2, db.waiting());
        assertFalse(use(leases, TENANT).shortOfLeases());
    }

    @Test
    void withoutAFleetNoBudgetIsLeased() {
        fixture = new PoolFixture(1, FLEET.replace("fleet: {enabled: true, name: f}\n", ""));
        assertEquals(List.of(), fixture.pools.leasedBudgets().usage());
    }
}
