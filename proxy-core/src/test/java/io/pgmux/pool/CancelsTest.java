package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolFixture.Client;
import io.pgmux.server.CancelOutcome;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server with a cancel request in flight serves nobody else until PostgreSQL has answered it. */
class CancelsTest {
    private final PoolFixture fixture = new PoolFixture(1, """
            auth_type: trust
            query_wait_timeout: 60s
            databases:
              app: {host: db, port: 5432}
            users:
              - {name: u, tenant: t}
            tenants:
              t: {pool_size: 1}
            """);
    private final ServerPool pool = fixture.pool("app", "u");

    @AfterEach
    void close() {
        fixture.close();
    }

    /** A lends the only server and has its query cancelled; B waits for the server. */
    private ServerConnection cancelledWhileBWaits(Client a, Client b) {
        fixture.acquire(pool, a);
        ServerConnection server = fixture.acceptAndLogIn();
        a.loop.run(() -> fixture.pools.cancel(server));
        fixture.acquire(pool, b);
        fixture.release(a);
        return server;
    }

    @Test
    void theServerWaitsForTheCancelsAnswerBeforeServingTheNextClient() {
        Client a = fixture.client(0);
        Client b = fixture.client(0);
        ServerConnection server = cancelledWhileBWaits(a, b);
        assertEquals(ServerState.BEING_CANCELED, server.state());
        assertFalse(b.hasServer(), "not while the cancel may still hit its query");
        assertEquals(1, pool.snapshot().serversBeingCanceled());
        fixture.answerCancel(CancelOutcome.ANSWERED);
        assertSame(server, b.server);
        assertEquals(0, pool.snapshot().serversBeingCanceled());
    }

    @Test
    void aServerWithACancelInFlightDoesNotGoIdleEvenWithNobodyWaiting() {
        Client a = fixture.client(0);
        fixture.acquire(pool, a);
        ServerConnection server = fixture.acceptAndLogIn();
        a.loop.run(() -> fixture.pools.cancel(server));
        fixture.release(a);
        assertEquals(ServerState.BEING_CANCELED, server.state());
        Client b = fixture.client(0);
        fixture.acquire(pool, b);
        assertFalse(b.hasServer());
        fixture.answerCancel(CancelOutcome.NOT_SENT);
        assertSame(server, b.server, "a cancel that never reached PostgreSQL holds nothing");
    }

    @Test
    void aCancelNeverAnsweredClosesTheServerAndTheNextClientGetsANewOne() {
        Client a = fixture.client(0);
        Client b = fixture.client(0);
        ServerConnection server = cancelledWhileBWaits(a, b);
        fixture.answerCancel(CancelOutcome.UNANSWERED);
        assertEquals(ServerState.CLOSING, server.state());
        fixture.hangUpClosing();
        fixture.acceptAll();
        assertTrue(b.hasServer());
        assertNotSame(server, b.server);
    }

    @Test
    void aCancelAnsweredBeforeTheClientIsDoneHoldsNothing() {
        Client a = fixture.client(0);
        fixture.acquire(pool, a);
        ServerConnection server = fixture.acceptAndLogIn();
        a.loop.run(() -> fixture.pools.cancel(server));
        fixture.answerCancel(CancelOutcome.ANSWERED);
        fixture.release(a);
        assertEquals(ServerState.IDLE, server.state());
    }
}
