package io.pgmux.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads {@code databases}: the names clients connect to, each mapped to a server database. */
final class DatabasesBinder {
    /** Clients connecting to this name reach the admin console, so no server database may claim it. */
    static final String ADMIN_DATABASE = "pgmux";

    private DatabasesBinder() {
    }

    static Map<String, DatabaseConfig> bind(YamlMap top) {
        boolean written = top.has("databases");
        YamlMap section = top.map("databases");
        Map<String, DatabaseConfig> databases = new LinkedHashMap<>();
        for (String name : section.named().keySet()) {
            if (name.isEmpty()) {
                section.problem(name, "a database name must not be empty");
            } else if (name.equals(ADMIN_DATABASE)) {
                section.problem(name, "the database name \"" + ADMIN_DATABASE
                        + "\" is reserved for the admin console; choose another name and set dbname: "
                        + ADMIN_DATABASE + " if the server database is called that");
            } else {
                databases.put(name, database(name, section.map(name)));
            }
        }
        // A section or file that is not a mapping at all has already been reported as such.
        if (section.named().isEmpty() && !section.misshapen() && !top.misshapen()) {
            // Without a database there is nothing to pool; say so rather than start a proxy that refuses everyone.
            top.problem("databases", written
                    ? "at least one database is required"
                    : "required; define at least one database clients may connect to");
        }
        return databases;
    }

    private static DatabaseConfig database(String name, YamlMap m) {
        DatabaseConfig config = new DatabaseConfig(
                name,
                m.get("host", ValueType.nonEmptyString(), DatabaseConfig.DEFAULT_HOST),
                m.get("port", ValueType.port(), DatabaseConfig.DEFAULT_PORT),
                m.get("dbname", ValueType.nonEmptyString(), name),
                m.get("max_connections", ValueType.integer(0, Integer.MAX_VALUE), 0),
                m.get("pool_mode", ValueType.poolMode()),
                m.get("user", ValueType.nonEmptyString()),
                m.get("password", ValueType.string()),
                m.get("pinning", ValueType.pinning()));
        m.rejectUnknownKeys();
        return config;
    }
}
