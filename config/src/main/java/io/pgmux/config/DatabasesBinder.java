package io.pgmux.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Reads {@code databases}: the names clients connect to, each mapped to a server database. */
final class DatabasesBinder {
    /** Clients connecting to this name reach the admin console, so no server database may claim it. */
    static final String ADMIN_DATABASE = AdminConfig.DATABASE;

    /**
     * The databases, and each one's mapping for checks that need later sections (users), which report at the
     * database's own keys.
     */
    record Result(Map<String, DatabaseConfig> databases, Map<String, YamlMap> sections) {
    }

    private DatabasesBinder() {
    }

    static Result bind(YamlMap top, NodeReader reader, ServerTlsConfig serverTls, AuthQueryBinder.Globals authQuery) {
        boolean written = top.has("databases");
        YamlMap section = top.map("databases");
        Map<String, DatabaseConfig> databases = new LinkedHashMap<>();
        Map<String, YamlMap> sections = new LinkedHashMap<>();
        for (String name : section.named().keySet()) {
            if (name.isEmpty()) {
                section.problem(name, "a database name must not be empty");
            } else if (name.equals(ADMIN_DATABASE)) {
                section.problem(name, "the database name \"" + ADMIN_DATABASE
                        + "\" is reserved for the admin console; choose another name and set dbname: "
                        + ADMIN_DATABASE + " if the server database is called that");
            } else {
                YamlMap m = section.map(name);
                databases.put(name, database(name, m, reader, serverTls, authQuery));
                sections.put(name, m);
            }
        }
        // A section or file that is not a mapping at all has already been reported as such.
        if (section.named().isEmpty() && !section.misshapen() && !top.misshapen()) {
            // Without a database there is nothing to pool; say so rather than start a proxy that refuses everyone.
            top.problem("databases", written
                    ? "at least one database is required"
                    : "required; define at least one database clients may connect to");
        }
        return new Result(databases, sections);
    }

    private static DatabaseConfig database(String name, YamlMap m, NodeReader reader, ServerTlsConfig serverTls,
                                           AuthQueryBinder.Globals authQuery) {
        String host = m.get("host", ValueType.nonEmptyString(), DatabaseConfig.DEFAULT_HOST);
        int port = m.get("port", ValueType.port(), DatabaseConfig.DEFAULT_PORT);
        String dbname = m.get("dbname", ValueType.nonEmptyString(), name);
        int maxConnections = m.get("max_connections", ValueType.integer(0, Integer.MAX_VALUE), 0);
        Optional<PoolMode> poolMode = m.get("pool_mode", ValueType.poolMode());
        Optional<String> user = m.get("user", ValueType.nonEmptyString());
        // The forced user's password logs in to the server, which a SCRAM verifier cannot do. An empty password
        // is kept as written: it has always meant "send an empty password".
        Optional<String> password = m.get("password", ValueType.string());
        password.filter(text -> !text.isEmpty()).ifPresent(text -> {
            try {
                ValueType.serverPassword().parser().apply(text);
            } catch (IllegalArgumentException e) {
                m.problem("password", e.getMessage());
            }
        });
        DatabaseConfig config = new DatabaseConfig(name, host, port, dbname, maxConnections, poolMode, user, password,
                m.get("pinning", ValueType.pinning()),
                m.get("auth_type", ValueType.authType()),
                TlsBinder.server(m, reader, serverTls),
                AuthQueryBinder.database(m, authQuery));
        m.rejectUnknownKeys(PgBouncerNames.Section.DATABASE);
        return config;
    }
}
