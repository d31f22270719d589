package io.pgmux.client;

import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.PoolManager;
import io.pgmux.server.ServerConnector;
import java.util.concurrent.atomic.AtomicInteger;

/** What every client connection needs from the running proxy; built once by the runtime and shared. */
public final class ClientServices {
    private final PgmuxConfig config;
    private final PoolManager pools;
    private final ServerConnector connector;
    private final CancelRegistry cancels = new CancelRegistry();
    private final ClientAuthenticator authenticator;
    private final AtomicInteger clients = new AtomicInteger();
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> clientsByTenant =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final io.netty.channel.group.ChannelGroup channels;

    /** @param channels every client channel joins it, so shutdown can close them all */
    public ClientServices(PgmuxConfig config, PoolManager pools, ServerConnector connector,
                          io.netty.channel.group.ChannelGroup channels) {
        this.channels = channels;
        this.config = config;
        this.pools = pools;
        this.connector = connector;
        this.authenticator = new ClientAuthenticator(config);
    }

    public PgmuxConfig config() {
        return config;
    }

    public PoolManager pools() {
        return pools;
    }

    ServerConnector connector() {
        return connector;
    }

    io.netty.channel.group.ChannelGroup channels() {
        return channels;
    }

    CancelRegistry cancels() {
        return cancels;
    }

    ClientAuthenticator authenticator() {
        return authenticator;
    }

    /**
     * Counts a client in, globally and in its tenant; returns the setting that refused it (and counts nothing),
     * or null when it is admitted.
     */
    String admitClient(String user) {
        if (!tryIncrement(clients, config.maxClientConnections())) {
            return "max_client_connections = " + config.maxClientConnections();
        }
        io.pgmux.config.TenantConfig tenant = config.tenantOf(user).orElse(null);
        if (tenant != null && tenant.maxClientConnections() > 0 && !tryIncrement(
                clientsByTenant.computeIfAbsent(tenant.name(), k -> new AtomicInteger()), tenant.maxClientConnections())) {
            clients.decrementAndGet();
            return "max_client_connections = " + tenant.maxClientConnections() + " of tenant " + tenant.name();
        }
        return null;
    }

    private static boolean tryIncrement(AtomicInteger counter, int limit) {
        while (true) {
            int current = counter.get();
            if (limit > 0 && current >= limit) {
                return false;
            }
            if (counter.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void clientLeft(String user) {
        clients.decrementAndGet();
        config.tenantOf(user).ifPresent(t -> {
            if (t.maxClientConnections() > 0) {
                clientsByTenant.get(t.name()).decrementAndGet();
            }
        });
    }

    /** Runs the client timeouts; each client checks itself on its own event loop. */
    public void checkClientTimeouts() {
        io.pgmux.config.Timeouts timeouts = config.timeouts();
        if (timeouts.clientIdleTimeout().isZero() && timeouts.idleTransactionTimeout().isZero()
                && timeouts.queryTimeout().isZero()) {
            return;
        }
        long now = System.nanoTime();
        cancels.forEach(client -> client.eventLoop().execute(() -> client.checkTimeouts(now, timeouts)));
    }

    /**
     * A login to {@code database} (a configured one) failed authentication: counted on the user's pool when the
     * user is configured, else per database only (the names of unknown users are whatever clients send).
     */
    void authFailed(String database, String user) {
        if (config.user(user).isPresent()) {
            String tenant = config.tenantOf(user).map(io.pgmux.config.TenantConfig::name).orElse(null);
            pools.stats().pool(database, user, tenant).authFailed();
        } else {
            pools.stats().unknownUserLogin(database);
        }
    }

    public int clientCount() {
        return clients.get();
    }
}
