package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolFixture.Client;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A reloaded configuration installed while clients hold and wait for servers. */
class PoolReconfigureTest {
    private PoolFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String yaml(int poolSize, String password, String extraDatabase) {
        return """
                auth_type: trust
                query_wait_timeout: 60s
                server_check_query: ""
                databases:
                  app: {host: db, port: 5432, max_connections: 10}
                """ + (extraDatabase == null ? "" : "  " + extraDatabase + ": {host: db, port: 5432}\n") + """
                users:
                  - {name: u, password: %s, tenant: t}
                tenants:
                  t: {pool_size: %d}
                """.formatted(password, poolSize);
    }

    private void reconfigure(String yaml) {
        fixture.pools.reconfigure(PoolFixture.config(yaml));
        fixture.loops.runAll();
    }

    private List<Client> clients(ServerPool pool, int n) {
        List<Client> result = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Client each = fixture.client(i % fixture.loops.size());
            fixture.acquire(pool, each);
            result.add(each);
        }
        fixture.acceptAll();
        return result;
    }

    private static long closing(List<ServerConnection> servers) {
        return servers.stream().filter(s -> s.state() == ServerState.CLOSING).count();
    }

    @Test
    void aSmallerPoolSizeClosesIdleServersBeyondItAtOnceAndBusyOnesAsTheyComeBack() {
        fixture = new PoolFixture(2, yaml(4, "pw", null));
        ServerPool pool = fixture.pool("app", "u");
        List<Client> busy = clients(pool, 4);
        fixture.release(busy.get(0));
        assertEquals(1, pool.idleCount());

        reconfigure(yaml(2, "pw", null));
        assertEquals(2, pool.tenantBudget().limit(), "the enforced budget is the plan's");
        assertEquals(1, closing(fixture.opened), "the idle one beyond pool_size 2 closes");
        fixture.release(busy.get(1));
        assertEquals(2, closing(fixture.opened), "so does the next one to come back");
        fixture.release(busy.get(2));
        assertEquals(2, closing(fixture.opened), "3 open, 2 of them closing: 1 left, within pool_size 2");
        assertEquals(1, pool.idleCount());
        fixture.hangUpClosing();
        assertEquals(2, pool.tenantBudget().used());
    }

    @Test
    void aLargerPoolSizeServesWaitingClientsAtOnce() {
        fixture = new PoolFixture(2, yaml(1, "pw", null));
        ServerPool pool = fixture.pool("app", "u");
        List<Client> all = clients(pool, 3);
        assertEquals(1, all.stream().filter(Client::hasServer).count());
        reconfigure(yaml(3, "pw", null));
        assertEquals(2, fixture.connectsPending());
        fixture.acceptAll();
        assertTrue(all.stream().allMatch(Client::hasServer));
    }

    @Test
    void serversOfAChangedTargetCloseOnceIdleAndNewOnesLogInWithTheNewOne() {
        fixture = new PoolFixture(2, yaml(4, "old", null));
        ServerPool pool = fixture.pool("app", "u");
        List<Client> busy = clients(pool, 2);
        fixture.release(busy.get(0));
        ServerConnection active = busy.get(1).server;

        reconfigure(yaml(4, "new", null));
        assertEquals(1, closing(fixture.opened), "the idle server closes");
        assertEquals(ServerState.ACTIVE, active.state(), "the busy one finishes its transaction");
        fixture.release(busy.get(1));
        assertEquals(ServerState.CLOSING, active.state());

        Client next = fixture.client(0);
        fixture.acquire(pool, next);
        ServerConnection fresh = fixture.acceptAndLogIn();
        assertSame(fresh, next.server);
        assertEquals("new", fresh.target().password());
    }

    @Test
    void aRemovedDatabaseServesTheClientsStillOnItAndAnAddedOneIsServed() {
        fixture = new PoolFixture(1, yaml(2, "pw", "old"));
        ServerPool old = fixture.pool("old", "u");
        List<Client> onOld = clients(old, 2);
        fixture.release(onOld.get(0));

        reconfigure(yaml(2, "pw", "fresh"));
        assertEquals(1, closing(fixture.opened), "the removed database's idle server closes");
        fixture.hangUpClosing();
        Client again = onOld.get(0);
        fixture.acquire(old, again);
        fixture.acceptAll();
        assertTrue(again.hasServer(), "a client still on the removed database is served");
        fixture.release(again);
        assertEquals(ServerState.CLOSING, fixture.opened.get(fixture.opened.size() - 1).state(),
                "and its server closes once idle");

        ServerPool fresh = fixture.pool("fresh", "u");
        Client newcomer = fixture.client(0);
        fixture.acquire(fresh, newcomer);
        fixture.acceptAll();
        assertTrue(newcomer.hasServer());
        assertThrows(IllegalArgumentException.class, () -> fixture.pool("gone", "u"));
        assertSame(old, fixture.pool("old", "u"), "the clients still on it find their pool");
    }

    @Test
    void aUserMovedToAnotherTenantDrawsOnTheNewBudgetAndItsOldServersCloseOnceIdle() {
        String before = """
                auth_type: trust
                server_check_query: ""
                databases:
                  app: {host: db, port: 5432}
                users:
                  - {name: u, tenant: a}
                tenants:
                  a: {pool_size: 2}
                  b: {pool_size: 3}
                """;
        fixture = new PoolFixture(1, before);
        ServerPool pool = fixture.pool("app", "u");
        List<Client> busy = clients(pool, 2);
        Budget a = pool.tenantBudget();
        reconfigure(before.replace("tenant: a", "tenant: b"));
        Budget b = pool.tenantBudget();
        assertNotSame(a, b);
        assertEquals(3, b.limit());
        fixture.release(busy.get(0));
        fixture.hangUpClosing();
        assertEquals(1, a.used(), "the old server gave its place back to the old budget");
        Client next = fixture.client(0);
        fixture.acquire(pool, next);
        fixture.acceptAll();
        assertEquals(1, b.used(), "the new one counts against the new budget");
        assertFalse(busy.get(1).server.state().isLeaving());
    }

    @Test
    void aUserMovedToAnotherTenantCountsItsNextTransactionsUnderTheNewTenant() {
        String before = """
                auth_type: trust
                databases:
                  app: {host: db, port: 5432}
                users:
                  - {name: u, tenant: a}
                tenants:
                  a: {pool_size: 2}
                  b: {pool_size: 3}
                """;
        fixture = new PoolFixture(1, before);
        ServerPool pool = fixture.pool("app", "u");
        pool.stats().recordTransaction(100);
        pool.stats().clientLoggedIn();
        reconfigure(before.replace("tenant: a", "tenant: b"));
        assertEquals("b", pool.stats().tenant().orElseThrow());
        assertEquals("b", pool.snapshot().tenant());
        pool.stats().recordTransaction(200);
        pool.stats().recordTransaction(300);
        pool.stats().clientLeft();
        java.util.Map<String, io.pgmux.stats.PoolTotals> byTenant = pool.stats().totalsByTenant();
        assertEquals(List.of("a", "b"), List.copyOf(byTenant.keySet()));
        assertEquals(1, byTenant.get("a").get(io.pgmux.stats.PoolCounter.XACT_COUNT));
        assertEquals(2, byTenant.get("b").get(io.pgmux.stats.PoolCounter.XACT_COUNT));
        assertEquals(0, pool.stats().totals().clientsConnected(), "logged in under a, left under b: gone");
        reconfigure(before);
        pool.stats().recordTransaction(400);
        assertEquals(2, pool.stats().totalsByTenant().get("a").get(io.pgmux.stats.PoolCounter.XACT_COUNT),
                "back to a: counted on where it stopped");
    }
}
