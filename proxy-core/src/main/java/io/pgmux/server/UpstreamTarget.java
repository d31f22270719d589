package io.pgmux.server;

import io.pgmux.auth.ScramKeys;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.ServerTlsConfig;
import io.pgmux.config.SslMode;
import io.pgmux.config.UpstreamLogin;
import java.util.Map;
import java.util.Objects;

/**
 * Where and as whom a pool's server connections log in, and with which TLS ({@code server_tls_*} of the
 * database).
 */
public record UpstreamTarget(String host, int port, String database, String user, String password,
                             Map<String, String> startupParameters, ServerTlsConfig tls, ScramKeys scramKeys) {
    public UpstreamTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(scramKeys, "scramKeys");
        startupParameters = Map.copyOf(startupParameters);
    }

    /**
     * This target with {@code application_name} set to {@code name}, cut to 63 characters (PostgreSQL keeps 63 bytes
     * of it, NAMEDATALEN - 1: the same for the ASCII names pgmux gives), so that pg_stat_activity tells pgmux's own
     * connections from the pools' ones.
     */
    public UpstreamTarget withApplicationName(String name) {
        Map<String, String> parameters = new java.util.LinkedHashMap<>(startupParameters);
        parameters.put("application_name", name.length() > 63 ? name.substring(0, 63) : name);
        return new UpstreamTarget(host, port, database, user, password, parameters, tls, scramKeys);
    }

    /** A target without TLS (server_tls_sslmode disable). */
    public UpstreamTarget(String host, int port, String database, String user, String password,
                          Map<String, String> startupParameters) {
        this(host, port, database, user, password, startupParameters, withoutTls(), new ScramKeys());
    }

    /**
     * How a server connection to {@code db} logs in for {@code login} (see {@code PgmuxConfig.upstreamLoginFor}); a
     * password that is a SCRAM verifier logs in with the ClientKey {@code scramKeys} holds for it.
     */
    public static UpstreamTarget of(DatabaseConfig db, UpstreamLogin login, ScramKeys scramKeys) {
        return new UpstreamTarget(db.host(), db.port(), db.dbname(), login.user(), login.password().orElse(null),
                Map.of(), db.serverTls(), scramKeys);
    }

    private static ServerTlsConfig withoutTls() {
        ServerTlsConfig defaults = ServerTlsConfig.defaults();
        return new ServerTlsConfig(SslMode.DISABLE, defaults.caFile(), defaults.certFile(), defaults.keyFile(),
                defaults.sni(), defaults.protocols(), defaults.ciphers());
    }

    /**
     * How a server connection to {@code db} logs in for a client of {@code user}: as the database's own
     * {@code user:} with its password when one is configured (PgBouncer's forced user), else as the client's
     * user with that user's password.
     */
    public static UpstreamTarget forDatabase(DatabaseConfig db, String user, String password) {
        String loginUser = db.user().orElse(user);
        String loginPassword = db.user().isPresent() ? db.password().orElse(null) : password;
        return new UpstreamTarget(db.host(), db.port(), db.dbname(), loginUser, loginPassword, Map.of(),
                db.serverTls(), new ScramKeys());
    }

    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
