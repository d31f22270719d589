package io.pgmux.server;

import io.pgmux.config.DatabaseConfig;
import java.util.Map;
import java.util.Objects;

/** Where and as whom a pool's server connections log in. */
public record UpstreamTarget(String host, int port, String database, String user, String password,
                             Map<String, String> startupParameters) {
    public UpstreamTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        startupParameters = Map.copyOf(startupParameters);
    }

    /**
     * How a server connection to {@code db} logs in for a client of {@code user}: as the database's own
     * {@code user:} with its password when one is configured (PgBouncer's forced user), else as the client's
     * user with that user's password.
     */
    public static UpstreamTarget forDatabase(DatabaseConfig db, String user, String password) {
        String loginUser = db.user().orElse(user);
        String loginPassword = db.user().isPresent() ? db.password().orElse(null) : password;
        return new UpstreamTarget(db.host(), db.port(), db.dbname(), loginUser, loginPassword, Map.of());
    }

    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
