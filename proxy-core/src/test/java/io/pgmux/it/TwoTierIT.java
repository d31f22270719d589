package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.BackendSampler;
import io.pgmux.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The alternative to fleet leases: sidecars in session mode pointing at one shared pgmux in transaction mode. The
 * shared instance alone holds the budget, so the database never sees more than it, however many sidecars there
 * are and however large their own pools; every transaction crosses one more hop.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TwoTierIT {
    private static final int SHARED_POOL = 3;
    private static PostgresCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = PostgresCluster.shared();
    }

    @AfterAll
    static void nothingToStop() {
        // The shared cluster lives for the whole run.
    }

    private static ProxyFixture sidecar(ProxyFixture shared) {
        return ProxyFixture.config(cluster).poolSize(10).set("pool_mode", "session")
                .databaseSetting(ProxyFixture.APP_DB, "host", shared.host())
                .databaseSetting(ProxyFixture.APP_DB, "port", Integer.toString(shared.port()))
                .start();
    }

    @Test
    void sidecarsInSessionModeBehindASharedTransactionPoolKeepTheSharedBudget() throws Exception {
        try (BackendSampler sampler = BackendSampler.of(cluster, ProxyFixture.APP_USER)
                .database(ProxyFixture.APP_DB).start();
             ProxyFixture shared = ProxyFixture.config(cluster).poolSize(SHARED_POOL).start();
             ProxyFixture one = sidecar(shared);
             ProxyFixture two = sidecar(shared)) {
            List<ProxyFixture> sidecars = List.of(one, two);
            List<Throwable> failures = Sql.concurrently(16, Duration.ofSeconds(60), id -> {
                ProxyFixture via = sidecars.get(id % 2);
                try (Connection c = via.connect(); Statement s = c.createStatement()) {
                    for (int i = 0; i < 20; i++) {
                        s.execute("select pg_sleep(0.002)");
                    }
                    // A session setting holds on the sidecar's session, as the client expects of session mode.
                    s.execute("set application_name = 'two-tier-" + id + "'");
                    assertEquals("two-tier-" + id, Sql.one(c, "show application_name"));
                }
            });
            assertEquals(new ArrayList<>(), failures);
            assertTrue(sampler.max() <= SHARED_POOL, "the database saw " + sampler.max()
                    + " server connections; the shared pool allows " + SHARED_POOL);
            assertTrue(sampler.max() > 0, "the sampler saw the shared pool's connections");
        }
    }
}
