package io.pgmux.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Walks the top-level mapping into a {@link PgmuxConfig}: the flat global settings and the small sections itself,
 * the larger sections through their binders, then the references between sections. Always returns a config built
 * from whatever could be read; the caller decides from the collected problems whether it may be used.
 */
final class ConfigBinder {
    static final int DEFAULT_POOL_SIZE = 5;
    static final int DEFAULT_MAX_CLIENT_CONNECTIONS = 10_000;
    static final int DEFAULT_MAX_MESSAGE_SIZE = 64 << 20;
    // Below 1kB ordinary startup and error messages would not fit; above 1GB is PostgreSQL's own limit.
    static final int MIN_MESSAGE_SIZE = 1 << 10;
    static final int MAX_MESSAGE_SIZE = 1 << 30;
    static final String DEFAULT_SERVER_RESET_QUERY = "DISCARD ALL";
    static final int DEFAULT_MAX_PREPARED_STATEMENTS = 200;

    private static final ValueType<Integer> COUNT = ValueType.integer(0, Integer.MAX_VALUE);
    private static final ValueType<Integer> POSITIVE = ValueType.integer(1, Integer.MAX_VALUE);

    private ConfigBinder() {
    }

    static PgmuxConfig bind(Node root, NodeReader reader) {
        YamlMap top = reader.map(root, "", 1);
        ListenConfig listen = listen(top.map("listen"));
        PoolMode poolMode = top.get("pool_mode", ValueType.poolMode(), PoolMode.TRANSACTION);
        AuthType authType = top.get("auth_type", ValueType.authType(), AuthType.SCRAM_SHA_256);
        boolean allowPasswordWithoutTls = top.get("allow_password_without_tls", ValueType.bool(), false);
        int defaultPoolSize = top.get("default_pool_size", POSITIVE, DEFAULT_POOL_SIZE);
        Optional<String> defaultTenant = top.get("default_tenant", ValueType.nonEmptyString());
        // 0 is not "unlimited" here (it is for a tenant): a pooler admitting no client at all is a mistake.
        int maxClientConnections = top.get("max_client_connections", POSITIVE, DEFAULT_MAX_CLIENT_CONNECTIONS);
        int maxServerConnections = top.get("max_server_connections", COUNT, 0);
        int maxMessageSize = top.get("max_message_size", ValueType.size(MIN_MESSAGE_SIZE, MAX_MESSAGE_SIZE),
                DEFAULT_MAX_MESSAGE_SIZE);
        int workers = top.get("workers", COUNT, 0);
        IoTransport transport = top.get("transport", ValueType.transport(), IoTransport.AUTO);
        String serverResetQuery = top.get("server_reset_query", ValueType.string(), DEFAULT_SERVER_RESET_QUERY);
        boolean serverResetQueryAlways = top.get("server_reset_query_always", ValueType.bool(), false);
        PinningPolicy pinning = top.get("pinning", ValueType.pinning(), PinningPolicy.PIN);
        int maxPreparedStatements = top.get("max_prepared_statements", COUNT, DEFAULT_MAX_PREPARED_STATEMENTS);
        Timeouts timeouts = TimeoutsBinder.bind(top);
        ClientTlsConfig clientTls = TlsBinder.client(top, reader);
        ServerTlsConfig serverTls = TlsBinder.server(top, reader, ServerTlsConfig.defaults());
        AuthQueryBinder.Globals authQuery = AuthQueryBinder.globals(top);
        DatabasesBinder.Result databases = DatabasesBinder.bind(top, reader, serverTls, authQuery);
        Map<String, TenantConfig> tenants = TenantsBinder.bind(top, defaultPoolSize);
        UsersBinder.Result users = UsersBinder.bind(top, reader, tenants.keySet());
        Optional<AccessRules> hba = HbaBinder.bind(top, reader, reader.problems().source());
        AdminConfig admin = admin(top.map("admin"), reader, users.users().keySet());
        MetricsConfig metrics = metrics(top.map("metrics"), listen);
        LogConfig logDefaults = LogConfig.defaults();
        LogConfig log = new LogConfig(top.get("log_stats", ValueType.bool(), logDefaults.logStats()),
                top.get("utilization_warn_percent", ValueType.integer(0, LogConfig.MAX_UTILIZATION_WARN_PERCENT),
                        logDefaults.utilizationWarnPercent()),
                top.get("log_connections", ValueType.bool(), logDefaults.logConnections()),
                top.get("log_disconnections", ValueType.bool(), logDefaults.logDisconnections()),
                top.get("log_pooler_errors", ValueType.bool(), logDefaults.logPoolerErrors()),
                top.get("log_slow_query", ValueType.duration(), logDefaults.logSlowQuery()));
        PeersConfig peers = PeersBinder.bind(top, reader, listen);
        if (peers.enabled() && maxClientConnections > PeersConfig.MAX_CLIENT_CONNECTIONS
                && !top.failed("max_client_connections")) {
            // The peer id takes 14 bits of the cancel key's process id, leaving 17 for telling clients apart.
            top.problem("max_client_connections", "at most " + PeersConfig.MAX_CLIENT_CONNECTIONS + " with peer_id"
                    + " set (the peer id takes part of each client's cancel key), got " + maxClientConnections);
        }
        FleetConfig fleet = fleet(top.map("fleet"));
        top.rejectUnknownKeys(PgBouncerNames.Section.TOP);

        defaultTenant.filter(t -> !tenants.containsKey(t)).ifPresent(t ->
                top.problem("default_tenant", References.undefined("tenant", t, "tenants", tenants.keySet())));
        new AuthChecks(top, reader, reader.problems().source(), databases, users, clientTls, allowPasswordWithoutTls)
                .check(authType, hba, authQuery);

        return new PgmuxConfig(listen, poolMode, authType, defaultPoolSize, defaultTenant, maxClientConnections,
                maxServerConnections, maxMessageSize, workers, transport, serverResetQuery, serverResetQueryAlways,
                pinning, maxPreparedStatements, timeouts, databases.databases(), users.users(), tenants, admin, metrics,
                allowPasswordWithoutTls, hba, clientTls, serverTls, AuthQueryBinder.resolve(authQuery), log, peers,
                fleet);
    }

    private static ListenConfig listen(YamlMap m) {
        ListenConfig config = new ListenConfig(
                m.get("host", ValueType.nonEmptyString(), ListenConfig.DEFAULT_HOST),
                m.get("port", ValueType.port(), ListenConfig.DEFAULT_PORT),
                m.get("so_reuseport", ValueType.bool(), false));
        m.rejectUnknownKeys();
        return config;
    }

    private static MetricsConfig metrics(YamlMap m, ListenConfig listen) {
        MetricsConfig config = new MetricsConfig(
                m.get("enabled", ValueType.bool(), true),
                m.get("host", ValueType.nonEmptyString(), MetricsConfig.DEFAULT_HOST),
                m.get("port", ValueType.port(), MetricsConfig.DEFAULT_PORT),
                m.get("pgbouncer_compat", ValueType.bool(), false));
        m.rejectUnknownKeys();
        // Both would bind at start and the second would fail: say so now, with the line.
        if (config.enabled() && !m.failed("port") && config.port() == listen.port()
                && bindsOverlap(config.host(), listen.host())) {
            m.problem("port", "the metrics endpoint cannot share port " + listen.port() + " with listen."
                    + "port on " + config.host() + "; choose another port (default "
                    + MetricsConfig.DEFAULT_PORT + ")");
        }
        return config;
    }

    private static FleetConfig fleet(YamlMap m) {
        boolean enabled = m.get("enabled", ValueType.bool(), false);
        Optional<String> name = m.get("name", ValueType.nonEmptyString());
        FleetConfig config = new FleetConfig(enabled, name.orElse(""), m.get("instance_id", ValueType.nonEmptyString()),
                m.get("min_leases", COUNT, FleetConfig.DEFAULT_MIN_LEASES),
                m.get("lease_idle_timeout", ValueType.duration(), FleetConfig.DEFAULT_LEASE_IDLE_TIMEOUT),
                m.get("rebalance_interval", ValueType.duration(), FleetConfig.DEFAULT_REBALANCE_INTERVAL),
                m.get("lease_reclaim_timeout", ValueType.duration(), FleetConfig.DEFAULT_LEASE_RECLAIM_TIMEOUT));
        m.rejectUnknownKeys();
        if (enabled && name.isEmpty() && !m.failed("name")) {
            m.problem("name", "a fleet needs a name: every instance that runs this file must give the same one"
                    + " (e.g. the application's), so that they share the budgets");
        }
        if (enabled && !m.failed("rebalance_interval") && config.rebalanceInterval().toMillis() < 10) {
            m.problem("rebalance_interval", "expected at least 10ms, got " + config.rebalanceInterval().toMillis()
                    + "ms: each round asks the database");
        }
        return config;
    }

    private static boolean bindsOverlap(String a, String b) {
        return a.equals(b) || isWildcard(a) || isWildcard(b);
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }

    /** Admin and stats logins must be real users: the console authenticates them like anyone else. */
    private static AdminConfig admin(YamlMap m, NodeReader reader, Set<String> users) {
        List<String> admins = adminUsers(m, "users", reader, users);
        List<String> statsUsers = adminUsers(m, "stats_users", reader, users);
        m.rejectUnknownKeys();
        return new AdminConfig(admins, statsUsers);
    }

    private static List<String> adminUsers(YamlMap m, String key, NodeReader reader, Set<String> users) {
        List<Node> items = m.list(key, "a list of user names");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String path = m.pathOf(key) + "[" + i + "]";
            reader.read(item, path, ValueType.nonEmptyString()).ifPresent(name -> {
                if (!users.contains(name)) {
                    reader.problems().add(path, item, References.undefined("user", name, "users", users));
                }
                names.add(name);
            });
        }
        return names;
    }
}
