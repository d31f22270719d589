package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What SHOW STATS and /metrics count, checked against what clients did. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatsCountingIT {
    private static final String[] POOL = {"database", ProxyFixture.APP_DB, "tenant", ProxyFixture.DEFAULT_TENANT,
        "user", ProxyFixture.APP_USER};
    private final PostgresCluster cluster;

    StatsCountingIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * The first client of a new pool waits at login for the pool's first server: its first transaction counts
     * like every later one, in the transactions, the queries and the transaction time.
     */
    @Test
    void theFirstTransactionOfANewPoolIsCounted() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).start()) {
            for (int i = 1; i <= 3; i++) {
                try (RawPgClient client = proxy.rawLogin(java.util.Map.of("application_name", "psql"))) {
                    client.query("select 1");
                    client.readUntilReady();
                }
                Scrape after = Scrape.metrics(proxy);
                assertEquals(i, after.value("pgmux_queries_total", POOL), after.body());
                assertEquals(i, after.value("pgmux_transactions_total", POOL), after.body());
                assertEquals(i, after.value("pgmux_transaction_duration_seconds_count", POOL), after.body());
            }
        }
    }
}
