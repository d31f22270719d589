package io.pgmux.config;

import java.util.Map;
import java.util.Optional;

/**
 * PgBouncer's setting names (pgbouncer.ini's {@code [pgbouncer]} section, its per-database connection-string keys
 * and its {@code [users]} keys) that an operator coming from PgBouncer writes into pgmux's file, each with what pgmux
 * reads instead. pgmux reads one name per setting, so the file does not accept these as aliases; an unknown key that
 * is in this table gets its hint in place of the list of accepted keys. Only names pgmux does not accept in the same
 * place belong here: {@code pool_mode}, {@code default_pool_size}, {@code server_lifetime} and the like are read
 * under PgBouncer's name already.
 */
final class PgBouncerNames {
    /** The mapping an unknown key was found in, since PgBouncer uses some names in more than one section. */
    enum Section {
        /** The top level of the file: PgBouncer's {@code [pgbouncer]} section. */
        TOP,
        /** {@code databases.<name>}: PgBouncer's {@code [databases]} connection-string keys. */
        DATABASE,
        /** {@code users[]}: PgBouncer's {@code [users]} keys. */
        USER,
        /** {@code tenants.<name>}: PgBouncer has no tenants, but its pool keys are written here too. */
        TENANT,
        /** Any other mapping: no PgBouncer names are expected there. */
        OTHER
    }

    private static final String TENANT_POOL_SIZE = "pool sizes are per tenant in pgmux: tenants.<name>.pool_size"
            + " (default: default_pool_size)";
    private static final String TENANT_MIN_POOL = "pool sizes are per tenant in pgmux: tenants.<name>.min_pool_size";
    private static final String TENANT_RESERVE = "pool sizes are per tenant in pgmux: tenants.<name>.reserve_pool_size";
    private static final String TENANT_SERVER_CAP = "pgmux caps server connections per tenant (whose users share it):"
            + " tenants.<name>.max_server_connections";
    private static final String TENANT_CLIENT_CAP = "pgmux caps client connections per tenant (whose users share it):"
            + " tenants.<name>.max_client_connections";
    private static final String DATABASE_SERVER_CAP = "pgmux caps server connections per database:"
            + " databases.<name>.max_connections";
    private static final String STARTUP_PARAMETERS = "pgmux needs no list: it keeps every startup parameter a client"
            + " sends (extra_float_digits, search_path, options=-c ...) as that client's session settings, on every"
            + " server it uses";
    private static final String TOP_LEVEL = "pgmux reads it at the top level of the file, for every database and user:"
            + " ";

    private static final Map<String, String> TOP = Map.ofEntries(
            Map.entry("max_client_conn", "max_client_connections"),
            Map.entry("listen_addr", "listen.host"),
            Map.entry("listen_port", "listen.port"),
            Map.entry("so_reuseport", "listen.so_reuseport"),
            Map.entry("admin_users", "admin.users"),
            Map.entry("stats_users", "admin.stats_users"),
            Map.entry("auth_hba_file", "hba_file"),
            Map.entry("max_db_connections", DATABASE_SERVER_CAP),
            Map.entry("max_user_connections", TENANT_SERVER_CAP),
            Map.entry("max_user_client_connections", TENANT_CLIENT_CAP),
            Map.entry("min_pool_size", TENANT_MIN_POOL),
            Map.entry("reserve_pool_size", TENANT_RESERVE),
            Map.entry("reserve_pool_timeout", "pool sizes are per tenant in pgmux:"
                    + " tenants.<name>.reserve_pool_timeout"),
            Map.entry("auth_file", "pgmux lists its users in the file: users[].password (a SCRAM secret, or"
                    + " ${VAR} from the environment)"),
            Map.entry("ignore_startup_parameters", STARTUP_PARAMETERS));

    private static final Map<String, String> DATABASE = Map.ofEntries(
            Map.entry("max_db_connections", "max_connections"),
            Map.entry("pool_size", TENANT_POOL_SIZE),
            Map.entry("min_pool_size", TENANT_MIN_POOL),
            Map.entry("reserve_pool", TENANT_RESERVE),
            Map.entry("reserve_pool_size", TENANT_RESERVE),
            Map.entry("max_db_client_connections", TENANT_CLIENT_CAP),
            Map.entry("server_lifetime", TOP_LEVEL + "server_lifetime"),
            Map.entry("auth_file", "pgmux lists its users in the file: users[].password"));

    private static final Map<String, String> USER = Map.ofEntries(
            Map.entry("max_user_connections", TENANT_SERVER_CAP),
            Map.entry("max_user_client_connections", TENANT_CLIENT_CAP),
            Map.entry("pool_size", TENANT_POOL_SIZE),
            Map.entry("reserve_pool_size", TENANT_RESERVE),
            Map.entry("query_timeout", TOP_LEVEL + "query_timeout"),
            Map.entry("idle_transaction_timeout", TOP_LEVEL + "idle_transaction_timeout"),
            Map.entry("client_idle_timeout", TOP_LEVEL + "client_idle_timeout"));

    private static final Map<String, String> TENANT = Map.ofEntries(
            Map.entry("max_user_connections", "max_server_connections"),
            Map.entry("max_db_connections", "max_server_connections"),
            Map.entry("max_user_client_connections", "max_client_connections"),
            Map.entry("max_db_client_connections", "max_client_connections"),
            Map.entry("reserve_pool", "reserve_pool_size"));

    private PgBouncerNames() {
    }

    /**
     * What to tell an operator who wrote PgBouncer's {@code key} in {@code section}: {@code PgBouncer's name;
     * pgmux reads max_client_connections} where pgmux has the setting under another name or place, else what pgmux
     * does instead; empty for a key that is not PgBouncer's.
     */
    static Optional<String> hint(Section section, String key) {
        Map<String, String> table = switch (section) {
            case TOP -> TOP;
            case DATABASE -> DATABASE;
            case USER -> USER;
            case TENANT -> TENANT;
            case OTHER -> Map.of();
        };
        String instead = table.get(key);
        if (instead == null) {
            return Optional.empty();
        }
        // A bare key (or dotted path) is pgmux's name for the same setting; a sentence says where pgmux has it.
        return Optional.of(instead.indexOf(' ') < 0
                ? "PgBouncer's name; pgmux reads " + instead
                : "PgBouncer's setting; " + instead);
    }
}
