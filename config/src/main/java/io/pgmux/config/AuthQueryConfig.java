package io.pgmux.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How pgmux learns the password of a user that is not in {@code users}: it logs in to the server as
 * {@code auth_user} and runs {@code auth_query} with the user name as {@code $1} (PgBouncer's {@code auth_user},
 * {@code auth_query} and {@code auth_dbname}, same meanings). Active only where {@code auth_user} is set,
 * globally or for a database; a database's own keys win over the global ones, key by key.
 *
 * <p>The query returns no row for a user that may not log in, else one row whose second column is
 * {@code rolpassword} (a SCRAM verifier or an md5 hash); the first column, the name, is ignored. PgBouncer's
 * convention, so its {@code SECURITY DEFINER} lookup functions work unchanged.
 *
 * @param user     the role pgmux logs in as to run the query; a user in {@code users} with a password it can log
 *                 in with (plaintext, or an md5 hash for a server using md5)
 * @param query    run with one parameter, the user name
 * @param dbname   the database (a key under {@code databases}) to run it in; empty means the one the client asked
 *                 for
 * @param cacheTtl how long a fetched password (or the answer "no such user") is reused; 0 fetches on every login.
 *                 Global only ({@code auth_query_cache_ttl})
 */
public record AuthQueryConfig(String user, String query, Optional<String> dbname, Duration cacheTtl) {
    /**
     * Reads {@code pg_authid} (superuser only): a role that may log in and whose {@code rolvaliduntil} has not
     * passed. Qualified with {@code pg_catalog} so no {@code search_path} can substitute another table. Where
     * pgmux may not log in as a superuser (managed databases), point {@code auth_query} at a
     * {@code SECURITY DEFINER} function instead; see the README.
     */
    public static final String DEFAULT_QUERY = "SELECT rolname, rolpassword FROM pg_catalog.pg_authid"
            + " WHERE rolname = $1 AND rolcanlogin AND (rolvaliduntil IS NULL OR rolvaliduntil > now())";
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(60);

    public AuthQueryConfig {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(dbname, "dbname");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
    }

    /** The database to run the query in, for a client that asked for {@code clientDatabase}. */
    public String databaseFor(String clientDatabase) {
        return dbname.orElse(clientDatabase);
    }
}
