package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolFixture.Client;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerState;
import io.pgmux.server.TestBackends;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lending and taking back servers, budgets, waiting and the timers, without a database. */
class PoolCoreTest {
    private static final String ONE_USER = """
            auth_type: trust
            query_wait_timeout: 10s
            query_wait_notify: 2s
            server_check_delay: 30s
            databases:
              app: {host: db, port: 5432}
            users:
              - {name: u}
            tenants:
              t: {pool_size: 2}
            default_tenant: t
            """;

    private PoolFixture fixture;

    private PoolFixture start(int loops, String yaml) {
        fixture = new PoolFixture(loops, yaml);
        return fixture;
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String counts(ServerPool pool) {
        PoolSnapshot s = pool.snapshot();
        return "waiting " + s.clientsWaiting() + ", active " + s.serversActive() + ", idle " + s.serversIdle()
                + ", opening " + s.serversOpening();
    }

    @Test
    void aClientWaitsForANewConnectionThenItsServerIsReusedFromTheIdleList() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        f.acquire(pool, a);
        assertFalse(a.hasServer());
        assertEquals("waiting 1, active 0, idle 0, opening 1", counts(pool));
        ServerConnection server = f.acceptAndLogIn();
        assertSame(server, a.server);
        assertEquals(ServerState.ACTIVE, server.state());

        f.release(a);
        assertEquals(ServerState.IDLE, server.state());
        assertEquals("waiting 0, active 0, idle 1, opening 0", counts(pool));
        Client b = f.client(0);
        f.acquire(pool, b);
        assertSame(server, b.server, "the idle server is lent at once");
        assertEquals(1, f.opened.size(), "no second connection");
    }

    @Test
    void thePoolSizeCapsOpenConnectionsAndAReleasedServerGoesToTheLongestWaiter() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        Client b = f.client(0);
        Client c = f.client(0);
        Client d = f.client(0);
        f.acquire(pool, a);
        f.acquire(pool, b);
        f.acquire(pool, c);
        f.acquire(pool, d);
        assertEquals(2, f.connectsPending(), "pool_size 2");
        f.acceptAll();
        assertTrue(a.hasServer() && b.hasServer());
        assertEquals("waiting 2, active 2, idle 0, opening 0", counts(pool));
        ServerConnection first = a.server;
        f.release(a);
        assertSame(first, c.server, "c waited longest");
        assertFalse(d.hasServer());
        assertEquals(2, f.opened.size());
    }

    @Test
    void aWaiterThatLeavesIsNotServed() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        Client b = f.client(0);
        Client c = f.client(0);
        f.acquire(pool, a);
        f.acquire(pool, b);
        f.acquire(pool, c);
        f.acceptAll();
        c.loop.run(() -> f.pools.cancelWait(pool, c));
        f.release(a);
        assertFalse(c.hasServer());
        assertEquals("waiting 0, active 1, idle 1, opening 0", counts(pool));
    }

    @Test
    void clientsThatWaitAgainAndAgainAreServedInTurnAndEachWaitIsTimedFromItsOwnStart() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Client each = f.client(0);
            clients.add(each);
            f.acquire(pool, each);
        }
        f.acceptAll();
        // Two hold a server, three wait; each holder gives its server back and asks again at once, as pgbench does.
        ArrayDeque<Client> turn = new ArrayDeque<>(clients);
        for (int round = 0; round < 12; round++) {
            Client holder = turn.pollFirst();
            f.advance(1);
            f.release(holder);
            Client served = turn.toArray(new Client[0])[1];
            assertTrue(served.hasServer(), "round " + round + ": the longest waiter was served");
            f.acquire(pool, holder);
            assertFalse(holder.hasServer(), "round " + round + ": the former holder queues behind the others");
            turn.addLast(holder);
            assertEquals("waiting 3, active 2, idle 0, opening 0", counts(pool));
            // The first waiters queued at 0 ms; from round 1 on, the head queued two releases (2 ms) ago.
            assertEquals(Math.min(round + 1, 2) * 1_000L, pool.snapshot().maxWaitMicros(), "round " + round);
        }
        assertEquals(2, f.opened.size());
    }

    @Test
    void leavingAQueueTheClientIsNotInChangesNothing() {
        PoolFixture f = start(1, ONE_USER.replace("  - {name: u}\n", "  - {name: u}\n  - {name: v}\n"));
        ServerPool pool = f.pool("app", "u");
        ServerPool other = f.pool("app", "v");
        Client a = f.client(0);
        Client b = f.client(0);
        Client c = f.client(0);
        f.acquire(pool, a);
        f.acquire(pool, b);
        f.acquire(pool, c);
        f.acceptAll();
        assertFalse(cancelWait(f, pool, a), "a holds a server: it waits nowhere");
        assertFalse(cancelWait(f, other, c), "c waits in another pool's queue");
        assertEquals("waiting 1, active 2, idle 0, opening 0", counts(pool));
        f.release(a);
        assertTrue(c.hasServer(), "c kept its place");
        assertFalse(cancelWait(f, pool, c), "served: no longer waiting");
    }

    private static boolean cancelWait(PoolFixture f, ServerPool pool, Client client) {
        boolean[] wasWaiting = new boolean[1];
        client.loop.run(() -> wasWaiting[0] = f.pools.cancelWait(pool, client));
        return wasWaiting[0];
    }

    @Test
    void anIdleServerOnAnotherLoopIsHandedOverAndJoinsTheClientsLoop() {
        PoolFixture f = start(2, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        f.acquire(pool, a);
        ServerConnection server = f.acceptAndLogIn();
        f.release(a);
        assertSame(f.loops.get(0), server.channel().eventLoop());

        Client b = f.client(1);
        f.acquire(pool, b);
        assertSame(server, b.server, "the idle server of loop 0 serves the client of loop 1");
        assertSame(f.loops.get(1), server.channel().eventLoop(), "and moved to its loop");
        assertEquals(1, f.opened.size());
        assertEquals("waiting 0, active 1, idle 0, opening 0", counts(pool));
        f.release(b);
        assertEquals("waiting 0, active 0, idle 1, opening 0", counts(pool));
        assertEquals(1, pool.on(f.loops.get(1)).idle.size(), "idle on the loop it moved to");
    }

    @Test
    void aReleasedServerServesAWaiterOfItsOwnLoopAheadOfTheHeadAFewTimesThenMovesToTheHead() {
        PoolFixture f = start(2, ONE_USER.replace("pool_size: 2", "pool_size: 1"));
        ServerPool pool = f.pool("app", "u");
        Client holder = f.client(0);
        f.acquire(pool, holder);
        ServerConnection server = f.acceptAndLogIn();
        Client head = f.client(1);
        f.acquire(pool, head);
        List<Client> sameLoop = new ArrayList<>();
        for (int i = 0; i <= WaitQueue.MAX_PASSED_OVER; i++) {
            Client each = f.client(0);
            sameLoop.add(each);
            f.acquire(pool, each);
        }
        for (int i = 0; i < WaitQueue.MAX_PASSED_OVER; i++) {
            f.release(holder);
            holder = sameLoop.get(i);
            assertSame(server, holder.server, "release " + i + " served the next waiter of the server's loop");
            assertSame(f.loops.get(0), server.channel().eventLoop(), "without a move");
        }
        f.release(holder);
        assertSame(server, head.server, "passed over MAX_PASSED_OVER times, the head is served next");
        assertSame(f.loops.get(1), server.channel().eventLoop(), "on its own loop");
        assertEquals(ServerState.ACTIVE, server.state());
        assertEquals("waiting 1, active 1, idle 0, opening 0", counts(pool));
        assertEquals(1, f.opened.size(), "pool_size 1 held throughout");
        f.release(head);
        assertSame(server, sameLoop.get(WaitQueue.MAX_PASSED_OVER).server, "and moves back for the last waiter");
        assertSame(f.loops.get(0), server.channel().eventLoop());
    }

    @Test
    void aServerUnusedForServerCheckDelayRunsTheCheckQueryBeforeServing() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        f.acquire(pool, a);
        ServerConnection server = f.acceptAndLogIn();
        f.release(a);
        f.advance(31_000);

        Client b = f.client(0);
        f.acquire(pool, b);
        assertFalse(b.hasServer(), "the check runs first");
        assertEquals(ServerState.CHECKING, server.state());
        TestBackends.answerQuery(server);
        f.loops.runAll();
        assertSame(server, b.server);
    }

    @Test
    void aWaiterIsToldAfterQueryWaitNotifyAndFailsAfterQueryWaitTimeoutNamingTheFullBudget() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        Client b = f.client(0);
        Client c = f.client(0);
        f.acquire(pool, a);
        f.acquire(pool, b);
        f.acceptAll();
        f.acquire(pool, c);
        f.advance(1_900);
        f.sweep();
        assertNull(c.notice);
        f.advance(200);
        f.sweep();
        assertEquals(WaitReason.BUSY, c.notifiedFor);
        assertEquals("pgmux: waiting for a server connection of app/u for 2100 ms; all of its connections are busy",
                c.notice.message());
        assertEquals(PgError.NOTICE, c.notice.severity());
        assertEquals("00000", c.notice.sqlState());
        assertNull(c.failure);
        f.advance(8_000);
        f.sweep();
        assertNotNull(c.failure);
        assertEquals(SqlState.TOO_MANY_CONNECTIONS, c.failure.sqlState());
        assertTrue(c.failure.message().contains("tenant t on database app (pool_size 2) 2/2"), c.failure.message());
        assertEquals("waiting 0, active 2, idle 0, opening 0", counts(pool));
    }

    @Test
    void aWaiterOfAPausedDatabaseIsToldSoAndTimesOutNamingThePauseNotTheBudget() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        f.pools.pause(Optional.of("app"));
        Client c = f.client(0);
        f.acquire(pool, c);
        f.advance(2_100);
        f.sweep();
        assertEquals(WaitReason.PAUSED, c.notifiedFor);
        f.advance(8_000);
        f.sweep();
        assertEquals(SqlState.CANNOT_CONNECT_NOW, c.failure.sqlState());
        assertTrue(c.failure.message().contains("database app is paused on pgmux's admin console"),
                c.failure.message());
        assertTrue(c.failure.hint().contains("RESUME"), c.failure.hint());
    }

    @Test
    void aWaiterWhileTheDatabaseHangsUpIsToldItCannotBeReachedNotThatConnectionsAreBusy() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        f.acquire(pool, a);
        TestBackends.hangUp(f.accept());
        f.loops.runAll();
        assertEquals(CircuitState.OPEN, pool.snapshot().upstreamCircuit());
        f.advance(2_100);
        f.sweep();
        assertEquals(WaitReason.UNREACHABLE, a.notifiedFor);
        assertTrue(a.notice.message().contains("pgmux cannot reach the database at db:5432 ("), a.notice.message());
        assertTrue(a.notice.message().endsWith(") and keeps retrying"), a.notice.message());
    }

    @Test
    void aWaiterWhileTheDatabaseRefusesIsToldItsRefusalWithItsSqlstate() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        f.acquire(pool, a);
        String slots = "remaining connection slots are reserved for non-replication superuser connections";
        TestBackends.refuse(f.accept(), PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, slots));
        f.loops.runAll();
        assertEquals(CircuitState.OPEN, pool.snapshot().upstreamCircuit());
        f.advance(2_100);
        f.sweep();
        assertEquals(WaitReason.REFUSED, a.notifiedFor);
        assertEquals("pgmux: waiting for a server connection of app/u for 2100 ms; the database at db:5432 answers"
                + " but refuses pgmux's connections (53300 " + slots + "); pgmux keeps retrying", a.notice.message());
        f.advance(8_000);
        f.sweep();
        assertEquals(SqlState.CANNOT_CONNECT_NOW, a.failure.sqlState());
        assertTrue(a.failure.message().contains("the database at db:5432 refused pgmux's login with 53300 " + slots),
                a.failure.message());
    }

    @Test
    void aWaiterWhileTheDatabaseStartsUpIsToldSo() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        f.acquire(pool, a);
        TestBackends.refuse(f.accept(), PgError.fatal(SqlState.CANNOT_CONNECT_NOW, "the database system is starting up"));
        f.loops.runAll();
        f.advance(2_100);
        f.sweep();
        assertEquals(WaitReason.REFUSED, a.notifiedFor);
        assertTrue(a.notice.message().contains("(57P03 the database system is starting up)"), a.notice.message());
    }

    @Test
    void aWaiterWhoseLoginHasNoAnswerYetIsToldPgmuxIsConnectingNotThatConnectionsAreBusy() {
        // A frozen database: the connect succeeds (the kernel accepts it) and the login gets no answer.
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        f.acquire(pool, a);
        f.accept();
        f.advance(2_100);
        f.sweep();
        assertEquals(WaitReason.CONNECTING, a.notifiedFor);
        assertEquals("pgmux: waiting for a server connection of app/u for 2100 ms; pgmux is connecting to the database"
                + " at db:5432, which has not answered yet", a.notice.message());
    }

    @Test
    void aWaiterBehindBusyServersIsToldTheyAreBusyThoughAnotherLoginIsUnderWay() {
        PoolFixture f = start(1, """
                auth_type: trust
                query_wait_notify: 2s
                server_check_delay: 30s
                databases:
                  app: {host: db, port: 5432}
                users:
                  - {name: u}
                tenants:
                  t: {pool_size: 2}
                default_tenant: t
                """);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        Client b = f.client(0);
        f.acquire(pool, a);
        f.acceptAndLogIn();
        f.acquire(pool, b);
        f.advance(2_100);
        f.sweep();
        assertEquals(WaitReason.BUSY, b.notifiedFor, "a server is logged in: the database answers");
    }

    @Test
    void theReservePoolOpensOnceTheLongestWaiterHasWaitedReservePoolTimeout() {
        PoolFixture f = start(1, """
                auth_type: trust
                server_check_delay: 30s
                databases:
                  app: {host: db, port: 5432}
                users:
                  - {name: u, tenant: t}
                tenants:
                  t: {pool_size: 1, reserve_pool_size: 1, reserve_pool_timeout: 500ms}
                """);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        Client b = f.client(0);
        f.acquire(pool, a);
        f.acquire(pool, b);
        f.acceptAll();
        assertFalse(b.hasServer());
        f.advance(400);
        f.sweep();
        assertEquals(0, f.connectsPending());
        f.advance(200);
        f.sweep();
        assertEquals(1, f.connectsPending(), "the reserve connection");
        f.acceptAll();
        assertTrue(b.hasServer());
        Client c = f.client(0);
        f.acquire(pool, c);
        f.advance(600);
        f.sweep();
        assertEquals(0, f.connectsPending(), "pool_size 1 + reserve_pool_size 1");
    }

    @Test
    void aRefusedLoginFailsEveryWaiterWithTheServersError() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        Client b = f.client(0);
        f.acquire(pool, a);
        f.acquire(pool, b);
        ServerConnection server = f.accept();
        TestBackends.refuse(server, PgError.fatal(SqlState.INVALID_PASSWORD, "password authentication failed"));
        f.loops.runAll();
        assertEquals(SqlState.INVALID_PASSWORD, a.failure.sqlState());
        assertEquals(SqlState.INVALID_PASSWORD, b.failure.sqlState());
        assertEquals(ServerState.CLOSED, server.state());
    }

    @Test
    void aRefusalThatMayPassOpensTheCircuitUntilTheBackOffThenOneProbeTries() {
        PoolFixture f = start(1, ONE_USER);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        f.acquire(pool, a);
        ServerConnection first = f.accept();
        TestBackends.refuse(first, PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, "sorry, too many clients already"));
        f.loops.runAll();
        assertNull(a.failure, "the client keeps waiting");
        assertEquals(CircuitState.OPEN, pool.snapshot().upstreamCircuit());
        Client b = f.client(0);
        f.acquire(pool, b);
        assertEquals(0, f.connectsPending(), "nobody connects while the circuit is open");
        f.advance(1_000); // server_login_retry 1 s: the back-off is between 0.5 and 1 s
        assertEquals(1, f.connectsPending(), "one probe");
        f.acceptAndLogIn();
        assertEquals(CircuitState.CLOSED, pool.snapshot().upstreamCircuit());
        f.acceptAll();
        assertTrue(a.hasServer() && b.hasServer());
    }

    @Test
    void idleServersCloseAfterServerIdleTimeoutAndServerLifetime() {
        PoolFixture f = start(1, """
                auth_type: trust
                server_idle_timeout: 60s
                server_lifetime: 100s
                server_check_query: ""
                databases:
                  app: {host: db, port: 5432}
                users:
                  - {name: u}
                """);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        Client b = f.client(0);
        f.acquire(pool, a);
        f.acquire(pool, b);
        f.acceptAll();
        f.release(a);
        f.advance(50_000);
        Client c = f.client(0);
        f.acquire(pool, c); // takes the idle one: used again
        f.release(b);
        f.advance(20_000);
        f.sweep();
        assertEquals(2, pool.snapshot().serversActive() + pool.snapshot().serversIdle(), "neither idle 60 s yet");
        f.release(c);
        f.advance(35_000); // 105 s old
        f.sweep();
        f.hangUpClosing();
        assertEquals("waiting 0, active 0, idle 0, opening 0", counts(pool), "both past server_lifetime");
    }

    @Test
    void aBudgetCountsAServerUntilItsBackendHasGone() {
        PoolFixture f = start(1, """
                auth_type: trust
                server_idle_timeout: 10s
                databases:
                  app: {host: db, port: 5432}
                users:
                  - {name: u, tenant: t}
                tenants:
                  t: {pool_size: 1}
                """);
        ServerPool pool = f.pool("app", "u");
        Client a = f.client(0);
        f.acquire(pool, a);
        ServerConnection first = f.acceptAndLogIn();
        f.release(a);
        f.advance(11_000);
        f.sweep();
        assertEquals(ServerState.CLOSING, first.state());
        Client b = f.client(0);
        f.acquire(pool, b);
        assertEquals(0, f.connectsPending(), "the closing server still counts against pool_size 1");
        TestBackends.hangUp(first);
        f.loops.runAll();
        assertEquals(ServerState.CLOSED, first.state());
        assertEquals(1, f.connectsPending(), "its place is free once its backend has gone");
    }

    @Test
    void minPoolSizeConnectionsAreKeptOpen() {
        PoolFixture f = start(2, """
                auth_type: trust
                databases:
                  app: {host: db, port: 5432}
                users:
                  - {name: u, tenant: t}
                tenants:
                  t: {pool_size: 5, min_pool_size: 3}
                """);
        ServerPool pool = f.pool("app", "u");
        f.sweep();
        assertEquals(3, f.connectsPending());
        f.acceptAll();
        f.sweep();
        assertEquals(0, f.connectsPending());
        assertEquals("waiting 0, active 0, idle 3, opening 0", counts(pool));
    }
}
