package io.pgmux.metrics;

import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.PoolManager;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.Predicate;

/**
 * Publishes the pools' families into the Prometheus registry at each scrape, from one read of the pool state
 * ({@link ScrapeView}): numbers of one scrape agree with each other, and pools that appear need no meters
 * registered. (Micrometer's own meters cannot carry histograms whose buckets are counted elsewhere, as the
 * statistics model's are.)
 */
final class PoolCollector implements MultiCollector {
    /** The configuration pgmux started with: only its metrics section is read, which a reload does not change. */
    private final PgmuxConfig config;
    private final PoolManager pools;
    private final Readiness readiness;
    private final Predicate<String> disabled;

    /** @param disabled whether new logins to a database are refused (DISABLE) */
    PoolCollector(PgmuxConfig config, PoolManager pools, Readiness readiness, Predicate<String> disabled) {
        this.config = config;
        this.pools = pools;
        this.readiness = readiness;
        this.disabled = disabled;
    }

    @Override
    public MetricSnapshots collect() {
        ScrapeView view = ScrapeView.read(pools, readiness);
        MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        Family.addAll(snapshots, PgmuxFamilies.of(view));
        // The metrics section needs a restart; the databases, users and limits the families list follow reloads.
        if (config.metrics().pgbouncerCompat()) {
            Family.addAll(snapshots, PgbouncerFamilies.of(view, pools.config(), pools::isPaused, disabled));
        }
        return snapshots.build();
    }
}
