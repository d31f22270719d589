package io.pgmux.cli.env;

import java.util.Map;
import java.util.Optional;

/**
 * The variables {@code pgmux config-from-env} reads, and the configuration key each one fills. An unset or empty
 * variable leaves its key out, so the configuration's own default applies.
 */
public enum EnvVariable {
    DATABASE_URL("PGMUX_DATABASE_URL", "databases", "postgres://user:password@host:port/dbname:"
            + " the database server, and the login pgmux uses there (required); ?sslmode= (disable, allow, prefer,"
            + " require, verify-ca, verify-full; default prefer) and &sslrootcert= apply to pgmux's connections"),
    DATABASE_NAME("PGMUX_DATABASE_NAME", "databases", "the database name clients ask for (default: the URL's)"),
    USERS("PGMUX_USERS", "users", "client logins as name:password,name2:password2 (default: the URL's user and"
            + " password)"),
    USERS_FILE("PGMUX_USERS_FILE", "users", "a file with one name:password per line, e.g. a mounted secret"
            + " (instead of PGMUX_USERS)"),
    POOL_SIZE("PGMUX_POOL_SIZE", "default_pool_size", "server connections per user"),
    POOL_MODE("PGMUX_POOL_MODE", "pool_mode", "transaction or session"),
    AUTH_TYPE("PGMUX_AUTH_TYPE", "auth_type", "how clients log in: scram-sha-256, md5, password or trust"),
    MAX_CLIENT_CONNECTIONS("PGMUX_MAX_CLIENT_CONNECTIONS", "max_client_connections", "clients connected at once"),
    MAX_DB_CONNECTIONS("PGMUX_MAX_DB_CONNECTIONS", "databases.*.max_connections",
            "server connections to the database, all users together"),
    LISTEN_HOST("PGMUX_LISTEN_HOST", "listen.host", "the address clients connect to"),
    LISTEN_PORT("PGMUX_LISTEN_PORT", "listen.port", "the port clients connect to"),
    ADMIN_USERS("PGMUX_ADMIN_USERS", "admin.users", "logins allowed every admin console command, as"
            + " name,name2 (each one of the client logins)"),
    STATS_USERS("PGMUX_STATS_USERS", "admin.stats_users", "logins allowed the console's read-only SHOW commands,"
            + " as name,name2"),
    METRICS_HOST("PGMUX_METRICS_HOST", "metrics.host", "the address of /metrics and /health/*"),
    METRICS_PORT("PGMUX_METRICS_PORT", "metrics.port", "the port of /metrics and /health/*"),
    FLEET_NAME("PGMUX_FLEET_NAME", "fleet.name", "join the fleet of this name: the budgets hold for all its"
            + " instances together (fleet.enabled; the same on every replica)"),
    FLEET_INSTANCE_ID("PGMUX_FLEET_INSTANCE_ID", "fleet.instance_id", "how this instance shows itself to the fleet,"
            + " e.g. the pod's name (default: host name, process id and a random suffix)"),
    FLEET_MIN_LEASES("PGMUX_FLEET_MIN_LEASES", "fleet.min_leases", "leases of each budget kept even when idle"
            + " (default 1)"),
    FLEET_LEASE_IDLE_TIMEOUT("PGMUX_FLEET_LEASE_IDLE_TIMEOUT", "fleet.lease_idle_timeout", "leases unused this long"
            + " are given back, e.g. 30s (the default)"),
    FLEET_REBALANCE_INTERVAL("PGMUX_FLEET_REBALANCE_INTERVAL", "fleet.rebalance_interval", "how often the instance"
            + " looks at its leases, e.g. 100ms (the default)"),
    FLEET_LEASE_RECLAIM_TIMEOUT("PGMUX_FLEET_LEASE_RECLAIM_TIMEOUT", "fleet.lease_reclaim_timeout", "after losing"
            + " its control connection, how long the instance serves on what it has and may take its slots back,"
            + " e.g. 3s (the default)");

    private final String variable;
    private final String configKey;
    private final String description;

    EnvVariable(String variable, String configKey, String description) {
        this.variable = variable;
        this.configKey = configKey;
        this.description = description;
    }

    /** The variable's name, e.g. {@code PGMUX_POOL_SIZE}. */
    public String variable() {
        return variable;
    }

    /** The configuration key it fills, e.g. {@code default_pool_size}; {@code *} stands for the database name. */
    public String configKey() {
        return configKey;
    }

    public String description() {
        return description;
    }

    /** The value in {@code env}; empty when unset or empty (compose files often set {@code VAR=} to mean unset). */
    public Optional<String> in(Map<String, String> env) {
        String value = env.get(variable);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }
}
