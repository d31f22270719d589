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

    public ClientServices(PgmuxConfig config, PoolManager pools, ServerConnector connector) {
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

    CancelRegistry cancels() {
        return cancels;
    }

    ClientAuthenticator authenticator() {
        return authenticator;
    }

    /** Counts a logged-in client; false (and not counted) when max_client_connections is reached. */
    boolean admitClient() {
        while (true) {
            int current = clients.get();
            if (current >= config.maxClientConnections()) {
                return false;
            }
            if (clients.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void clientLeft() {
        clients.decrementAndGet();
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

    public int clientCount() {
        return clients.get();
    }
}
