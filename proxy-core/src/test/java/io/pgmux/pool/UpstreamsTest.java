package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.pgmux.pool.PoolFixture.Client;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.TestBackends;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link PoolManager#upstreams()}: each upstream's circuit and the servers there that can serve, for readiness. */
class UpstreamsTest {
    private final PoolFixture f = new PoolFixture(2, """
            auth_type: trust
            server_check_delay: 30s
            databases:
              app: {host: db, port: 5432}
              other: {host: db, port: 5432}
              elsewhere: {host: db2, port: 5432}
            users:
              - {name: u}
              - {name: v}
            tenants:
              t: {pool_size: 4}
            default_tenant: t
            """);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void liveServersAreTheLoggedInOnesOfEveryPoolOfTheUpstreamAndOutlastARefusal() {
        ServerPool app = f.pool("app", "u");
        ServerPool other = f.pool("other", "v");
        Client a = f.client(0);
        Client b = f.client(1);
        Client c = f.client(0);
        f.acquire(app, a);
        f.acquire(app, b);
        f.acquire(other, c);
        List<ServerConnection> servers = f.acceptAll();
        assertEquals(3, servers.size());
        f.release(b); // one idle, two active: all live
        assertEquals(3, f.pools.upstreams().get("db:5432").liveServers());
        assertFalse(f.pools.upstreams().containsKey("db2:5432"), "no pool has connected there");

        // "too many clients": the circuit opens, the servers already logged in keep serving
        Client d = f.client(1);
        Client e = f.client(1);
        f.acquire(other, d);
        f.acquire(other, e);
        TestBackends.refuse(f.accept(), PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, "sorry, too many clients already"));
        f.loops.runAll();
        UpstreamStatus refused = f.pools.upstreams().get("db:5432");
        assertEquals(CircuitState.OPEN, refused.circuit());
        assertEquals(3, refused.liveServers(), "a connecting one that failed never counted");

        // the database goes away: every backend hangs up
        servers.forEach(TestBackends::hangUp);
        f.loops.runAll();
        assertEquals(0, f.pools.upstreams().get("db:5432").liveServers());
    }

    @Test
    void aServerPgmuxIsClosingNoLongerCounts() {
        ServerPool app = f.pool("app", "u");
        Client a = f.client(0);
        f.acquire(app, a);
        f.acceptAndLogIn();
        f.release(a);
        assertEquals(1, f.pools.upstreams().get("db:5432").liveServers());
        f.pools.closeAll();
        f.loops.runAll();
        assertEquals(0, f.pools.upstreams().get("db:5432").liveServers(), "closing, its backend not gone yet");
    }
}
