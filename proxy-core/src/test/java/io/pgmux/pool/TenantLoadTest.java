package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolFixture.Client;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant's load on a database: connections held against its budget, those of them linked to a client (in use,
 * what utilization counts), and its waiters, summed over the tenant's users' pools.
 */
class TenantLoadTest {
    private static final String TWO_USERS = """
            auth_type: trust
            query_wait_timeout: 60s
            server_check_delay: 30s
            databases:
              app: {host: db, port: 5432}
            users:
              - {name: api, tenant: web}
              - {name: batch, tenant: web}
              - {name: loner}
            tenants:
              web: {pool_size: 4, reserve_pool_size: 1}
            """;

    private PoolFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static PoolSnapshot snapshot(String user, String tenant, int waiting, int active, int idle, long maxWait,
                                         int budgetLimit, int budgetUsed) {
        return new PoolSnapshot("app", user, "transaction", waiting, active, idle, 0, 0, maxWait, CircuitState.CLOSED,
                1, 0, tenant, budgetLimit, 1, budgetUsed);
    }

    private TenantLoad web() {
        List<TenantLoad> loads = TenantLoad.of(fixture.pools.pools().stream().map(ServerPool::snapshot).toList());
        assertEquals(1, loads.size(), loads.toString());
        return loads.get(0);
    }

    @Test
    void inUseAndWaitersAddUpOverTheTenantsPoolsAndTheSharedBudgetCountsOnce() {
        List<TenantLoad> loads = TenantLoad.of(List.of(
                snapshot("api", "web", 2, 3, 1, 500, 10, 6),
                snapshot("batch", "web", 1, 1, 1, 900, 10, 6),
                snapshot("loner", null, 5, 5, 0, 0, 5, 5),
                snapshot("api2", "reports", 0, 0, 2, 0, 0, 2)));
        assertEquals(List.of(new TenantLoad("app", "web", 10, 1, 6, 4, 3, 900),
                new TenantLoad("app", "reports", 0, 1, 2, 0, 0, 0)), loads, "the user without a tenant is left out");
        assertEquals(OptionalDouble.of(0.4), loads.get(0).utilization());
        assertEquals(OptionalDouble.empty(), loads.get(1).utilization(), "no cap, no ratio");
    }

    @Test
    void aBurstThatEndedLeavesConnectionsHeldButNoneInUse() {
        fixture = new PoolFixture(1, TWO_USERS);
        ServerPool api = fixture.pool("app", "api");
        ServerPool batch = fixture.pool("app", "batch");
        List<Client> clients = List.of(fixture.client(0), fixture.client(0), fixture.client(0), fixture.client(0));
        fixture.acquire(api, clients.get(0));
        fixture.acquire(api, clients.get(1));
        fixture.acquire(batch, clients.get(2));
        fixture.acquire(batch, clients.get(3));
        fixture.acceptAll();
        assertTrue(clients.stream().allMatch(Client::hasServer));
        assertEquals(new TenantLoad("app", "web", 4, 1, 4, 4, 0, 0), web(), "both users' servers serve clients");
        assertEquals(OptionalDouble.of(1.0), web().utilization());

        Client fifth = fixture.client(0);
        fixture.acquire(api, fifth);
        assertFalse(fifth.hasServer(), "pool_size reached: it waits");
        assertEquals(1, web().waiting());

        clients.forEach(fixture::release);
        assertTrue(fifth.hasServer(), "a released server went to the waiter");
        assertEquals(new TenantLoad("app", "web", 4, 1, 4, 1, 0, 0), web());
        fixture.release(fifth);
        TenantLoad after = web();
        assertEquals(new TenantLoad("app", "web", 4, 1, 4, 0, 0, 0), after,
                "idle until server_idle_timeout: held against the budget, in use by nobody");
        assertEquals(OptionalDouble.of(0.0), after.utilization());
    }

    @Test
    void aServerOnItsWayToAClientOfAnotherLoopIsInUse() {
        fixture = new PoolFixture(2, TWO_USERS);
        ServerPool api = fixture.pool("app", "api");
        Client first = fixture.client(0);
        fixture.acquire(api, first);
        fixture.acceptAll();
        fixture.release(first);
        assertEquals(0, web().inUse());

        Client other = fixture.client(1);
        other.pool = api;
        other.loop.run(() -> fixture.pools.acquire(api, other));
        fixture.loops.get(0).runTasks(); // loop 0 hands its idle server over; loop 1 has not taken it yet
        assertFalse(other.hasServer());
        assertEquals(1, api.handingOver.size());
        assertEquals(1, web().inUse(), "handed to a client, on its way there");
        fixture.loops.runAll();
        assertTrue(other.hasServer());
        assertEquals(1, web().inUse());
    }

    @Test
    void aServerBeingTestedBeforeItServesIsNotInUse() {
        fixture = new PoolFixture(1, TWO_USERS.replace("server_check_delay: 30s", "server_check_delay: 1s"));
        ServerPool api = fixture.pool("app", "api");
        Client first = fixture.client(0);
        fixture.acquire(api, first);
        fixture.acceptAll();
        fixture.release(first);
        fixture.advance(2_000);
        Client next = fixture.client(0);
        fixture.acquire(api, next);
        assertFalse(next.hasServer(), "the idle server runs server_check_query first");
        assertEquals(1, api.snapshot().serversTested());
        assertEquals(new TenantLoad("app", "web", 4, 1, 1, 0, 1, 0), web());
    }
}
