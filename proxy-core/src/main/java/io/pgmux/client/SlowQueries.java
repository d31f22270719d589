package io.pgmux.client;

import io.pgmux.pool.ServerPool;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slow-query log of one client ({@code log_slow_query}, modelled on PostgreSQL's log_min_duration_statement): a
 * query that took at least the threshold is logged with its pool, tenant, client address and duration, never its
 * text or parameters, which may hold secrets. The per-query cost is one comparison with a threshold the services
 * keep current across reloads; nothing is allocated unless a line is logged. Confined to the client's event loop.
 */
final class SlowQueries {
    private static final Logger log = LoggerFactory.getLogger(SlowQueries.class);

    private final ClientServices services;
    private final ClientConnection client;
    private final ServerPool pool;

    SlowQueries(ClientServices services, ClientConnection client, ServerPool pool) {
        this.services = services;
        this.client = client;
        this.pool = pool;
    }

    /** A query took {@code nanos}: logged when that reaches the threshold. */
    void queryTook(long nanos) {
        if (nanos >= services.slowQueryNanos()) {
            log.info("slow query: {} ms, database={} user={} tenant={} client={}",
                    TimeUnit.NANOSECONDS.toMillis(nanos), pool.key().database(), pool.key().user(),
                    pool.stats().tenant().orElse(""), client.channel().remoteAddress());
        }
    }
}
