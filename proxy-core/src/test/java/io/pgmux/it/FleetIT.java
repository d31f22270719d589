package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.fleet.LeaseKeeper;
import io.pgmux.testing.Await;
import io.pgmux.testing.BackendSampler;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.SqlLoad;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three pgmux instances of one fleet in front of one PostgreSQL share a tenant's pool_size of 6: the database never
 * shows the tenant above 6 server connections, whatever each instance's load; an instance that dies leaves its
 * share to the others within seconds; an idle instance still serves its lone client from its minimum lease. A
 * cluster of its own, so that the restart test disturbs nobody.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FleetIT {
    private static final Logger log = LoggerFactory.getLogger(FleetIT.class);
    private static final int BUDGET = 6;
    private static PostgresCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = PostgresCluster.start(PostgresCluster.Settings.defaults().withMaxConnections(40));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ProxyFixture instance(String id) {
        return instance(id, "30s");
    }

    private static ProxyFixture instance(String id, String leaseIdleTimeout) {
        return instance(id, BUDGET, leaseIdleTimeout);
    }

    private static ProxyFixture instance(String id, int poolSize, String leaseIdleTimeout) {
        return ProxyFixture.config(cluster).poolSize(poolSize).set("query_wait_timeout", "30s")
                .set("admin", "{users: [" + ProxyFixture.APP_USER + "]}")
                .set("fleet", "{enabled: true, name: fleet-it, instance_id: " + id
                        + ", min_leases: 1, rebalance_interval: 50ms, lease_reclaim_timeout: 1s, lease_idle_timeout: "
                        + leaseIdleTimeout + "}")
                .start();
    }

    /**
     * Samples the tenant's server connections every 100 ms, without the fleet's control connections, through the
     * restart of the database one test makes.
     */
    private static BackendSampler sampler() throws SQLException {
        return BackendSampler.of(cluster, ProxyFixture.APP_USER).serversOnly().acrossRestarts()
                .every(Duration.ofMillis(100)).start();
    }


    /**
     * SHOW FLEET on the instance's console: upstream, instance, pid, budget, leases, waiting, self, slots,
     * reserve_slots.
     */
    private static List<List<String>> showFleet(ProxyFixture proxy) throws SQLException {
        Properties simple = new Properties();
        simple.setProperty("preferQueryMode", "simple");
        List<List<String>> rows = new ArrayList<>();
        try (Connection console = proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, "pgmux", simple);
             Statement s = console.createStatement(); ResultSet rs = s.executeQuery("SHOW FLEET")) {
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static final String TENANT_BUDGET = "tenant " + ProxyFixture.DEFAULT_TENANT + " on database "
            + ProxyFixture.APP_DB;

    private static int held(ProxyFixture proxy) {
        LeaseKeeper keeper = proxy.server().fleet().orElseThrow();
        return keeper.held().getOrDefault(TENANT_BUDGET, 0);
    }

    private static boolean seesAnotherSize(ProxyFixture proxy) {
        LeaseKeeper.BudgetState state = proxy.server().fleet().orElseThrow().states().get(TENANT_BUDGET);
        return state != null && state.disagree();
    }

    @Test
    void instancesWhoseFilesGiveABudgetDifferentSizesKeepToTheSmallestAndSaySo() throws Exception {
        try (BackendSampler sampler = sampler();
             ProxyFixture small = instance("small", BUDGET, "30s");
             ProxyFixture large = instance("large", BUDGET + 3, "30s")) {
            Await.until(Duration.ofSeconds(10), () -> seesAnotherSize(small) && seesAnotherSize(large),
                    "each instance to see the other's size of the budget");
            SqlLoad loadSmall = new SqlLoad("fleet-load", 8, small::connect);
            SqlLoad loadLarge = new SqlLoad("fleet-load", 8, large::connect);
            try {
                Await.until(Duration.ofSeconds(10), () -> loadSmall.done() > 200 && loadLarge.done() > 200,
                        "both instances to serve");
                Await.until(Duration.ofSeconds(5), () -> held(small) + held(large) >= BUDGET - 1,
                        "the two to share the smaller budget");
                List<List<String>> fleet = showFleet(large);
                List<String> sizes = fleet.stream().filter(r -> r.get(3).equals(TENANT_BUDGET))
                        .map(r -> r.get(1) + " " + r.get(7) + "+" + r.get(8)).sorted().toList();
                assertEquals(List.of("large " + (BUDGET + 3) + "+0", "small " + BUDGET + "+0"), sizes,
                        fleet.toString());
                Scrape scrape = Scrape.metrics(large);
                assertEquals(BUDGET, scrape.value("pgmux_fleet_slots", "budget", TENANT_BUDGET, "instance",
                        "large"), 0.0, scrape.body());
                assertEquals(1.0, scrape.value("pgmux_fleet_size_disagreement", "budget", TENANT_BUDGET,
                        "instance", "large"), scrape.body());
            } finally {
                loadSmall.stop();
                loadLarge.stop();
            }
            assertEquals(List.of(), loadSmall.errors());
            assertEquals(List.of(), loadLarge.errors());
            assertTrue(sampler.samples() >= 5, "the sampler ran: " + sampler.samples() + " samples");
            assertTrue(sampler.max() <= BUDGET, "the tenant had " + sampler.max() + " server connections at once,"
                    + " over the smaller size " + BUDGET + " of the two files");
            log.info("files of {} and {}: at most {} server connections in {} samples", BUDGET, BUDGET + 3,
                    sampler.max(), sampler.samples());
        }
    }

    @Test
    void threeInstancesShareOneBudgetAndTheOthersTakeTheShareOfOneThatDies() throws Exception {
        try (BackendSampler sampler = sampler();
             ProxyFixture a = instance("a");
             ProxyFixture b = instance("b");
             ProxyFixture c = instance("c")) {
            SqlLoad loadA = new SqlLoad("fleet-load", 8, a::connect);
            SqlLoad loadB = new SqlLoad("fleet-load", 8, b::connect);
            try {
                Await.until(Duration.ofSeconds(10), () -> loadA.done() > 200 && loadB.done() > 200,
                        "both loaded instances to serve");
                // The idle instance's lone client is served from its minimum lease.
                long asked = System.nanoTime();
                try (Connection lone = c.connect()) {
                    assertEquals("1", Sql.one(lone, "select 1"));
                }
                log.info("the idle instance served its lone client in {} ms",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked));
                Await.until(Duration.ofSeconds(5), () -> held(a) + held(b) >= BUDGET - 1,
                        "the loaded instances to hold every lease but the idle one's minimum");
                List<List<String>> fleet = showFleet(a);
                assertEquals(Set.of("a", "b", "c"), fleet.stream().map(r -> r.get(1)).collect(Collectors.toSet()),
                        fleet.toString());
                assertEquals(List.of("a"), fleet.stream().filter(r -> r.get(6).equals("yes")).map(r -> r.get(1))
                        .toList(), "self marks the instance asked");
                assertTrue(fleet.stream().mapToInt(r -> Integer.parseInt(r.get(4))).sum() <= BUDGET, fleet.toString());
                log.info("leases before the kill: a {}, b {}; SHOW FLEET {}", held(a), held(b), fleet);
                Scrape scrape = Scrape.metrics(a);
                assertEquals(held(a), scrape.value("pgmux_fleet_leases", "budget", "tenant main on database app",
                        "instance", "a"), 1.0, scrape.body());
                assertEquals(1.0, scrape.value("pgmux_fleet_control_connected", "instance", "a", "upstream",
                        cluster.host() + ":" + cluster.port()));

                // b dies: its control connection and its server connections drop without a word.
                loadB.expectCut();
                long killed = System.nanoTime();
                b.server().fleet().orElseThrow().abort();
                b.server().close();
                Await.until(Duration.ofSeconds(10), () -> held(a) >= BUDGET - 1,
                        "the surviving loaded instance to take the dead one's share");
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                log.info("a took the dead instance's share in {} ms (holds {})", tookMillis, held(a));
                assertTrue(tookMillis < 5_000, "took " + tookMillis + " ms");
                long before = loadA.done();
                Await.until(Duration.ofSeconds(5), () -> loadA.done() > before + 100, "a to keep serving");
            } finally {
                loadA.stop();
                loadB.stop();
            }
            assertEquals(List.of(), loadA.errors(), "no client of a surviving instance sees an error");
            assertTrue(sampler.samples() >= 5, "the sampler ran: " + sampler.samples() + " samples");
            assertTrue(sampler.max() <= BUDGET, "the tenant had " + sampler.max()
                    + " server connections at once, over its fleet budget of " + BUDGET);
            log.info("fleet budget {}: at most {} server connections in {} samples", BUDGET, sampler.max(),
                    sampler.samples());
        }
    }

    @Test
    void leasesFollowTheLoadFromOneInstanceToAnother() throws Exception {
        try (BackendSampler sampler = sampler();
             ProxyFixture x = instance("x", "1s");
             ProxyFixture y = instance("y", "1s")) {
            SqlLoad onX = new SqlLoad("fleet-load", 8, x::connect);
            try {
                Await.until(Duration.ofSeconds(10), () -> held(x) >= BUDGET - 1,
                        "the loaded instance to hold all but (for a while) the idle one's minimum");
            } finally {
                onX.stop();
            }
            long moved = System.nanoTime();
            SqlLoad onY = new SqlLoad("fleet-load", 8, y::connect);
            try {
                Await.until(Duration.ofSeconds(10), () -> held(y) >= BUDGET - 1 && held(x) <= 1,
                        "the leases to follow the load to the other instance");
                log.info("the leases followed the load in {} ms (lease_idle_timeout 1s)",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - moved));
                // Idle for a whole window while y holds every other slot: x gives back its minimum too.
                Await.until(Duration.ofSeconds(10), () -> held(y) == BUDGET && held(x) == 0,
                        "the idle instance to leave its minimum to the loaded one");
                log.info("the idle instance left its minimum after {} ms",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - moved));
            } finally {
                onY.stop();
            }
            assertEquals(List.of(), onX.errors());
            assertEquals(List.of(), onY.errors());
            assertTrue(sampler.max() <= BUDGET, "the tenant had " + sampler.max()
                    + " server connections at once, over its fleet budget of " + BUDGET);
        }
    }

    @Test
    void anInstanceThatLosesItsControlConnectionKeepsServingTakesItsSlotsBackAndTheBudgetHolds() throws Exception {
        try (BackendSampler sampler = sampler();
             ProxyFixture a = instance("la");
             ProxyFixture b = instance("lb")) {
            SqlLoad loadA = new SqlLoad("fleet-load", 6, a::connect);
            SqlLoad loadB = new SqlLoad("fleet-load", 6, b::connect);
            try {
                Await.until(Duration.ofSeconds(10), () -> held(a) >= 2 && held(b) >= 2, "both to hold leases");
                LeaseKeeper keeper = a.server().fleet().orElseThrow();
                String upstream = cluster.host() + ":" + cluster.port();
                for (int loss = 1; loss <= 3; loss++) {
                    try (Connection su = cluster.superuser(); Statement s = su.createStatement();
                         ResultSet rs = s.executeQuery("select pg_terminate_backend(pid) from pg_stat_activity"
                                 + " where application_name = 'pgmux la'")) {
                        assertTrue(rs.next(), "a's control connection is in pg_stat_activity");
                    }
                    long lostAt = System.nanoTime();
                    int lossNumber = loss;
                    Await.until(Duration.ofSeconds(10), () -> keeper.losses(upstream) >= lossNumber
                            && keeper.isConnected(upstream) && held(a) >= 1,
                            "a to notice the loss, reconnect and hold leases again");
                    log.info("a held leases again {} ms after its control connection was terminated",
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAt));
                    long before = loadA.done();
                    Await.until(Duration.ofSeconds(10), () -> loadA.done() > before + 100, "a to keep serving");
                }
            } finally {
                loadA.stop();
                loadB.stop();
            }
            assertEquals(List.of(), loadA.errors(), "a's clients were served through the losses");
            assertEquals(List.of(), loadB.errors());
            assertTrue(sampler.max() <= BUDGET, "the tenant had " + sampler.max()
                    + " server connections at once, over its fleet budget of " + BUDGET
                    + ": b took slots whose connections a still had open");
        }
    }

    @Test
    void anInstanceThatStopsGivesItsLeasesBackSoTheOthersNeedNotWait() throws Exception {
        try (ProxyFixture a = instance("ga");
             ProxyFixture b = instance("gb");
             io.pgmux.testing.LogCapture logs = io.pgmux.testing.LogCapture.start()) {
            SqlLoad loadA = new SqlLoad("fleet-load", 8, a::connect);
            try {
                Await.until(Duration.ofSeconds(10), () -> held(a) == BUDGET - 1 && held(b) == 1,
                        "a to hold every lease but b's minimum");
                b.server().close();
                Await.until(Duration.ofSeconds(10), () -> held(a) == BUDGET, "a to take the lease b gave back");
            } finally {
                loadA.stop();
            }
            assertEquals(List.of(), loadA.errors());
            assertEquals(List.of(), logs.linesWith("vanished").stream().filter(l -> l.contains("instance gb"))
                    .toList(),
                    "a stopping instance is not taken for a crashed one");
        }
    }

    @Test
    void afterADatabaseRestartTheInstancesTakeLeasesFromZeroWithinTheBudget() throws Exception {
        try (BackendSampler sampler = sampler();
             ProxyFixture a = instance("ra");
             ProxyFixture b = instance("rb")) {
            SqlLoad loadA = new SqlLoad("fleet-load", 6, a::connect);
            SqlLoad loadB = new SqlLoad("fleet-load", 6, b::connect);
            Await.until(Duration.ofSeconds(10), () -> loadA.done() > 100 && loadB.done() > 100,
                    "both instances to serve");
            loadA.stop();
            loadB.stop();
            cluster.stop();
            cluster.start();
            long restarted = System.nanoTime();
            SqlLoad afterA = new SqlLoad("fleet-load", 6, a::connect);
            SqlLoad afterB = new SqlLoad("fleet-load", 6, b::connect);
            try {
                Await.until(Duration.ofSeconds(30), () -> afterA.done() > 100 && afterB.done() > 100,
                        "both instances to serve again after the restart");
                log.info("both instances served 100 transactions each {} ms after the restart",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted));
            } finally {
                afterA.stop();
                afterB.stop();
            }
            assertTrue(sampler.max() <= BUDGET, "the tenant had " + sampler.max()
                    + " server connections at once, over its fleet budget of " + BUDGET);
        }
    }
}
