package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolFixture.Client;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who gets a connection's place when a budget shared by several pools is full: between tenants, and between the
 * pools of one tenant, weighted alike.
 */
class FairnessTest {
    private PoolFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** {@code n} clients of {@code pool} ask for a server; the connects that opens succeed. */
    private List<Client> busy(ServerPool pool, int n) {
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Client each = fixture.client(0);
            fixture.acquire(pool, each);
            clients.add(each);
        }
        fixture.acceptAll();
        return clients;
    }

    private static long holding(List<Client> clients) {
        return clients.stream().filter(Client::hasServer).count();
    }

    @Test
    void twoUsersOfOneTenantShareItsPoolSizeAndNeitherStarvesTheOther() {
        fixture = new PoolFixture(1, """
                auth_type: trust
                query_wait_timeout: 60s
                databases:
                  app: {host: db, port: 5432}
                users:
                  - {name: seed_role, tenant: scripts}
                  - {name: script_role, tenant: scripts}
                tenants:
                  scripts: {pool_size: 2}
                """);
        ServerPool seed = fixture.pool("app", "seed_role");
        ServerPool script = fixture.pool("app", "script_role");
        List<Client> seeds = busy(seed, 4);
        assertEquals(2, holding(seeds), "seed_role's pool holds the tenant's two connections");
        Client lone = fixture.client(0);
        fixture.acquire(script, lone);
        assertFalse(lone.hasServer());

        // seed_role's next release: its pool holds 2, script_role's 0 of the shared budget, so the connection
        // closes to make room for script_role, instead of serving seed_role's own next waiter.
        Client releasing = seeds.stream().filter(Client::hasServer).findFirst().orElseThrow();
        ServerConnection released = releasing.server;
        fixture.release(releasing);
        assertEquals(ServerState.CLOSING, released.state());
        fixture.hangUpClosing();
        fixture.acceptAll();
        assertTrue(lone.hasServer(), "script_role got a connection");

        // One each now: the next seed_role release serves seed_role's own waiter.
        Client next = seeds.stream().filter(Client::hasServer).findFirst().orElseThrow();
        ServerConnection kept = next.server;
        fixture.release(next);
        assertEquals(ServerState.ACTIVE, kept.state(), "equal shares: the server stays in seed_role's pool");
        assertTrue(seeds.stream().anyMatch(c -> c.server == kept), "and serves seed_role's next waiter");
    }

    @Test
    void aTenantBelowItsWeightedShareOfAFullDatabaseGetsTheNextPlace() {
        fixture = new PoolFixture(1, """
                auth_type: trust
                query_wait_timeout: 60s
                databases:
                  app: {host: db, port: 5432, max_connections: 4}
                users:
                  - {name: web_role, tenant: web}
                  - {name: gui_role, tenant: gui}
                tenants:
                  web: {pool_size: 10, weight: 3}
                  gui: {pool_size: 10}
                """);
        ServerPool web = fixture.pool("app", "web_role");
        ServerPool gui = fixture.pool("app", "gui_role");
        List<Client> webs = busy(web, 8);
        assertEquals(4, holding(webs), "web fills the database's 4");
        List<Client> guis = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Client each = fixture.client(0);
            fixture.acquire(gui, each);
            guis.add(each);
        }
        // A web release hands its place to gui while gui's share (its connections / weight 1) is below web's
        // (its connections / weight 3): 0 < 4/3 moves one place; then 1/1 against 3/3 is even, and web keeps its.
        for (int round = 0; round < 4; round++) {
            Client releasing = webs.stream().filter(Client::hasServer).findFirst().orElseThrow();
            fixture.release(releasing);
            fixture.hangUpClosing();
            fixture.acceptAll();
        }
        assertEquals(1, holding(guis), "gui holds 1 of 4, web 3 of 4: weighted 1/1 against 3/3");
        assertEquals(3, holding(webs));
    }
}
