package io.pgmux.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Reads {@code auth_user}, {@code auth_query} and {@code auth_dbname} at the top level and per database, and the
 * global {@code auth_query_cache_ttl}. A database's keys win one by one; the lookup is on for a database as soon
 * as an {@code auth_user} applies to it.
 */
final class AuthQueryBinder {
    /** The global keys, as written; the defaults for every database. */
    record Globals(Optional<String> user, Optional<String> query, Optional<String> dbname, Duration cacheTtl) {
    }

    private AuthQueryBinder() {
    }

    static Globals globals(YamlMap top) {
        return new Globals(
                top.get("auth_user", ValueType.nonEmptyString()),
                top.get("auth_query", ValueType.authQuery()),
                top.get("auth_dbname", ValueType.nonEmptyString()),
                top.get("auth_query_cache_ttl", ValueType.duration(), AuthQueryConfig.DEFAULT_CACHE_TTL));
    }

    /** The global lookup alone, for clients of databases that set none of the keys. */
    static Optional<AuthQueryConfig> resolve(Globals globals) {
        return globals.user().map(user -> new AuthQueryConfig(user,
                globals.query().orElse(AuthQueryConfig.DEFAULT_QUERY), globals.dbname(), globals.cacheTtl()));
    }

    /** One database's lookup: its own keys over the global ones. */
    static Optional<AuthQueryConfig> database(YamlMap m, Globals globals) {
        Optional<String> user = m.get("auth_user", ValueType.nonEmptyString()).or(globals::user);
        Optional<String> query = m.get("auth_query", ValueType.authQuery()).or(globals::query);
        Optional<String> dbname = m.get("auth_dbname", ValueType.nonEmptyString()).or(globals::dbname);
        if (user.isEmpty()) {
            for (String key : new String[] {"auth_query", "auth_dbname"}) {
                if (m.has(key) && !m.failed(key)) {
                    m.problem(key, "has no effect without auth_user (here or at the top level): set the user pgmux"
                            + " runs the query as");
                }
            }
            return Optional.empty();
        }
        return Optional.of(new AuthQueryConfig(user.get(), query.orElse(AuthQueryConfig.DEFAULT_QUERY), dbname,
                globals.cacheTtl()));
    }
}
