package io.pgmux.testing;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A server someone else runs, named by {@code PGMUX_TEST_PG_URL}
 * ({@code postgresql://user:password@host:port/database}). We only connect to it: never stop,
 * start or reconfigure it, and its pg_hba.conf is whatever its owner made it.
 */
final class ExternalPostgres implements PostgresServer {

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String database;

    private ExternalPostgres(String host, int port, String user, String password, String database) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
    }

    /** Accepts postgresql://, postgres:// and jdbc:postgresql:// forms; credentials may be %-encoded. */
    static ExternalPostgres parse(String url) {
        String trimmed = url.strip();
        if (trimmed.startsWith("jdbc:")) {
            trimmed = trimmed.substring("jdbc:".length());
        }
        URI uri = URI.create(trimmed);
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("PGMUX_TEST_PG_URL must look like postgresql://user:password@host:port/db, got " + url);
        }
        String user = "postgres";
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String path = uri.getPath();
        String database = path == null || path.length() <= 1 ? "postgres" : path.substring(1);
        return new ExternalPostgres(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user, password, database);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String superuserName() {
        return user;
    }

    @Override
    public String superuserPassword() {
        return password;
    }

    @Override
    public String superuserDatabase() {
        return database;
    }

    @Override
    public boolean canRestart() {
        return false;
    }

    @Override
    public void stop() {
        throw new IllegalStateException("an external server (PGMUX_TEST_PG_URL) is never stopped by tests");
    }

    @Override
    public void start() {
        throw new IllegalStateException("an external server (PGMUX_TEST_PG_URL) is never started by tests");
    }

    @Override
    public Path logFile() {
        return null;
    }

    @Override
    public String binDir() {
        return null;
    }

    @Override
    public void close() {
        // Not ours.
    }

    @Override
    public String describe() {
        return "external PostgreSQL at " + host + ":" + port + " (PGMUX_TEST_PG_URL, superuser " + user + ")";
    }
}
