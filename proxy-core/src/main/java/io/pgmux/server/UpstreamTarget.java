package io.pgmux.server;

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

    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
