package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolFixture.Client;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SHOW SERVERS' census: each event loop lists the servers it runs when its task comes up, and the answer is whole
 * only once every loop has answered.
 */
class ServerCensusTest {
    private final PoolFixture fixture = new PoolFixture(2, """
            auth_type: trust
            databases:
              app: {host: db, port: 5432}
            users:
              - {name: u, tenant: web}
            tenants:
              web: {pool_size: 4}
            """);
    private final ServerPool pool = fixture.pool("app", "u");

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void everyLoopGivesItsServersAndTheAnswerWaitsForAllOfThem() {
        Client first = fixture.client(0);
        Client second = fixture.client(1);
        fixture.acquire(pool, first);
        ServerConnection active = fixture.acceptAndLogIn();
        fixture.acquire(pool, second);
        ServerConnection idle = fixture.acceptAndLogIn();
        fixture.release(second);
        Client third = fixture.client(1);
        fixture.acquire(pool, third);
        fixture.acquire(pool, fixture.client(0));
        // the last two wait: the third took the idle one of its loop, the fourth gets a new one, still connecting

        CompletableFuture<List<ServerInfo>> census = fixture.pools.servers();
        fixture.loops.get(0).runTasks();
        assertFalse(census.isDone(), "loop 1 has not answered yet");
        fixture.loops.runAll();
        List<ServerInfo> servers = census.join();

        assertEquals(3, servers.size(), servers.toString());
        ServerInfo a = servers.stream().filter(s -> s.id() == active.id()).findFirst().orElseThrow();
        assertEquals(ServerState.ACTIVE, a.state());
        assertEquals("app", a.database());
        assertEquals("u", a.user());
        assertEquals("web", a.tenant());
        assertEquals("", a.tls());
        assertFalse(a.closeNeeded());
        ServerInfo b = servers.stream().filter(s -> s.id() == idle.id()).findFirst().orElseThrow();
        assertEquals(ServerState.ACTIVE, b.state(), "handed to the third client");
        assertTrue(servers.stream().anyMatch(s -> s.state() == ServerState.CONNECTING
                || s.state() == ServerState.LOGIN), servers.toString());
    }

    @Test
    void reconnectMarksServersToClose() {
        Client client = fixture.client(0);
        fixture.acquire(pool, client);
        fixture.acceptAndLogIn();
        fixture.loops.get(0).run(() -> fixture.pools.reconnect(java.util.Optional.empty()));
        CompletableFuture<List<ServerInfo>> census = fixture.pools.servers();
        fixture.loops.runAll();
        assertTrue(census.join().get(0).closeNeeded());
    }
}
