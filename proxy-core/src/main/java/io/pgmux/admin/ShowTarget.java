package io.pgmux.admin;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What SHOW can show: PgBouncer's console commands pgmux has, then pgmux's own. */
enum ShowTarget {
    HELP,
    POOLS,
    STATS,
    STATS_TOTALS,
    STATS_AVERAGES,
    TOTALS,
    CLIENTS,
    SERVERS,
    DATABASES,
    USERS,
    CONFIG,
    VERSION,
    LISTS,
    STATE,
    PREPARED,
    TENANTS,
    BUDGETS,
    FLEET,
    PEERS;

    /**
     * PgBouncer's SHOW commands about things pgmux does not have (file descriptors, its allocator, DNS, a pool of
     * connections to each peer).
     */
    static final Set<String> PGBOUNCER_ONLY = Set.of("fds", "sockets", "active_sockets", "mem", "dns_hosts",
            "dns_zones", "peer_pools");

    static Optional<ShowTarget> find(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        for (ShowTarget each : values()) {
            if (each.name().equals(upper)) {
                return Optional.of(each);
            }
        }
        return Optional.empty();
    }

    /** All names, "HELP|POOLS|...", for messages. */
    static String names() {
        StringBuilder out = new StringBuilder();
        for (ShowTarget each : values()) {
            if (out.length() > 0) {
                out.append('|');
            }
            out.append(each.name());
        }
        return out.toString();
    }
}
