package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolFixture.Client;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerState;
import io.pgmux.server.TestBackends;
import io.pgmux.testing.TestLoop;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server's state is the list it sits on; one method moves it, and an illegal move throws and moves nothing. */
class ServerMovesTest {
    private final PoolFixture fixture = new PoolFixture(2, """
            auth_type: trust
            databases:
              app: {host: db, port: 5432}
            users:
              - {name: u}
            """);
    private final ServerPool pool = fixture.pool("app", "u");
    private final TestLoop loop = fixture.loops.get(0);

    @AfterEach
    void close() {
        fixture.close();
    }

    private PooledServer idleServer() {
        Client client = fixture.client(0);
        fixture.acquire(pool, client);
        fixture.acceptAndLogIn();
        fixture.release(client);
        PooledServer slot = pool.on(loop).idle.peekFirst();
        assertEquals(ServerState.IDLE, slot.state());
        return slot;
    }

    /** Runs {@code move} on the server's loop holding the pool lock, as the pool's own moves run. */
    private void guarded(Runnable move) {
        loop.run(() -> {
            Work work = fixture.pools.lock().enter();
            try {
                move.run();
            } finally {
                fixture.pools.lock().exit(work);
            }
        });
    }

    @Test
    void aServerGoesThroughItsLifeOnTheListOfEachState() {
        Client client = fixture.client(0);
        fixture.acquire(pool, client);
        assertEquals(1, pool.openingCount());
        ServerConnection server = fixture.accept();
        PooledServer slot = PooledServer.of(server);
        assertSame(pool.login, slot.list);
        TestBackends.logIn(server);
        fixture.loops.runAll();
        assertSame(pool.on(loop).active, slot.list);
        assertEquals(ServerState.ACTIVE, server.state());
        loop.run(() -> fixture.pools.resetting(server));
        assertSame(pool.resetting, slot.list);
        loop.run(() -> fixture.pools.resetDone(server));
        assertSame(pool.on(loop).idle, slot.list);
        assertEquals(1, pool.idleCount());
        assertEquals(0, pool.activeCount());
        guarded(() -> pool.core().connections().retire(slot, null, new Work()));
        assertSame(pool.closing, slot.list);
        TestBackends.hangUp(server);
        fixture.loops.runAll();
        assertEquals(ServerState.CLOSED, server.state());
        assertSame(ServerList.GONE, slot.list);
        assertEquals(0, pool.closing.size());
    }

    @Test
    void anIllegalMoveThrowsAndLeavesTheServerWhereItWas() {
        PooledServer slot = idleServer();
        for (ServerState illegal : EnumSet.of(ServerState.RESETTING, ServerState.LOGIN, ServerState.CONNECTING)) {
            ServerList target = illegal == ServerState.RESETTING ? pool.resetting
                    : illegal == ServerState.LOGIN ? pool.login : pool.connecting;
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> guarded(() -> slot.moveTo(target)));
            assertTrue(e.getMessage().contains("illegal transition IDLE -> " + illegal), e.getMessage());
            assertEquals(ServerState.IDLE, slot.state());
            assertSame(pool.on(loop).idle, slot.list);
            assertEquals(1, pool.on(loop).idle.size());
            assertEquals(0, target.size());
        }
    }

    @Test
    void aClosedServerMovesNowhere() {
        PooledServer slot = idleServer();
        TestBackends.hangUp(slot.server());
        fixture.loops.runAll();
        assertEquals(ServerState.CLOSED, slot.state());
        assertThrows(IllegalStateException.class, () -> guarded(() -> slot.moveTo(pool.on(loop).idle)));
        assertThrows(IllegalStateException.class, () -> guarded(() -> slot.moveTo(pool.closing)));
        assertEquals(0, pool.idleCount());
    }

    @Test
    void aPerLoopListIsTouchedOnlyOnItsLoopAndAPoolListOnlyUnderTheLock() {
        PooledServer slot = idleServer();
        // Off its loop, holding the lock: the idle list is not this thread's to touch.
        assertThrows(AssertionError.class, () -> fixture.loops.get(1).run(() -> {
            Work work = fixture.pools.lock().enter();
            try {
                slot.moveTo(pool.on(loop).active);
            } finally {
                fixture.pools.lock().exit(work);
            }
        }));
        // On its loop without the lock: the checking list is guarded by the lock.
        assertThrows(AssertionError.class, () -> loop.run(() -> slot.moveTo(pool.checking)));
        assertEquals(ServerState.IDLE, slot.state());
        assertSame(pool.on(loop).idle, slot.list);
    }
}
