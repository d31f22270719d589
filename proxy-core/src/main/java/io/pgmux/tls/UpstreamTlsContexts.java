package io.pgmux.tls;

import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.ServerTlsConfig;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server-side TLS contexts, one per distinct {@code server_tls_*} setting (databases with equal settings share
 * one). Built from the configuration at start, off the event loops, so no connection reads a file; a setting not
 * built then (a target made outside the configuration) is built on first use, by the caller's thread.
 */
public final class UpstreamTlsContexts {
    private final Map<ServerTlsConfig, Optional<UpstreamTls>> contexts = new ConcurrentHashMap<>();

    /** No contexts built ahead; each is built on first use. */
    public UpstreamTlsContexts() {
    }

    /**
     * Builds the context of every database now.
     *
     * @throws TlsSetupException naming the setting and file when one cannot be used
     */
    public static UpstreamTlsContexts of(PgmuxConfig config) {
        UpstreamTlsContexts built = new UpstreamTlsContexts();
        built.forConfig(config.serverTls());
        for (DatabaseConfig db : config.databases().values()) {
            built.forConfig(db.serverTls());
        }
        return built;
    }

    /** The context for {@code config}; empty when its sslmode is disable. */
    public Optional<UpstreamTls> forConfig(ServerTlsConfig config) {
        return contexts.computeIfAbsent(config, UpstreamTls::create);
    }
}
