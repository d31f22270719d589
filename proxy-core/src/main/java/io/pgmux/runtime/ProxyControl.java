package io.pgmux.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgmux.admin.spi.AdminControl;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.admin.spi.PauseState;
import io.pgmux.admin.spi.ShutdownMode;
import io.pgmux.client.ClientConnection;
import io.pgmux.client.ClientServices;
import io.pgmux.admin.live.ConfigRows;
import io.pgmux.config.LiveSettings;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.TenantConfig;
import io.pgmux.pool.PoolManager;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The console's process controls over a running pgmux (PgBouncer's "Process controlling commands"): PAUSE and
 * RESUME through the pools, DISABLE and ENABLE through the login path, KILL, KILL_CLIENT and KILL TENANT through
 * the clients, RELOAD and SHUTDOWN through the runtime. Where pgmux simplifies PgBouncer: SUSPEND is PAUSE of
 * everything (pgmux stops handing out servers instead of stopping reading sockets: no socket is handed to
 * another process yet); WAIT_CLOSE completes once no server of the database is in use or closing.
 */
public final class ProxyControl implements AdminControl {
    /** What a client closed by KILL gets: PostgreSQL's pg_terminate_backend. */
    static final PgError KILLED = PgError.fatal(SqlState.ADMIN_SHUTDOWN,
            "terminating connection due to administrator command").withDetail("An operator ran KILL on the pgmux"
            + " console.");
    private static final long POLL_MILLIS = 20;

    private final PgmuxServer server;
    private final PoolManager pools;
    private final ClientServices clients;
    private final EventLoopGroup loops;
    /** SUSPEND is in force (a PAUSE of everything, told apart for SHOW STATE); RESUME without a database ends it. */
    private volatile boolean suspended;

    public ProxyControl(PgmuxServer server, EventLoopGroup loops) {
        this.server = server;
        this.pools = server.pools();
        this.clients = server.services();
        this.loops = loops;
    }

    @Override
    public CompletionStage<Void> pause(Optional<String> database) {
        database.ifPresent(this::requireDatabase);
        if (!pools.pause(database)) {
            throw new AdminException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                    database.map(db -> "database " + db + " is").orElse("pgmux is") + " already paused");
        }
        return when(() -> pools.serversInUse(database) == 0);
    }

    @Override
    public void resume(Optional<String> database) {
        database.ifPresent(this::requireDatabase);
        if (!pools.resume(database)) {
            throw new AdminException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                    database.map(db -> "database " + db + " is").orElse("pgmux is") + " not paused");
        }
        if (database.isEmpty()) {
            suspended = false;
        }
    }

    /** SHOW STATE: suspended (SUSPEND), paused (PAUSE of every database), else active. */
    public PauseState pauseState() {
        if (suspended && pools.isPausedEverywhere()) {
            return PauseState.SUSPENDED;
        }
        return pools.isPausedEverywhere() ? PauseState.PAUSED : PauseState.ACTIVE;
    }

    @Override
    public void disable(String database) {
        requireDatabase(database);
        clients.disable(database);
    }

    @Override
    public void enable(String database) {
        requireDatabase(database);
        clients.enable(database);
    }

    @Override
    public void reconnect(Optional<String> database) {
        database.ifPresent(this::requireDatabase);
        pools.reconnect(database);
    }

    @Override
    public void kill(Optional<String> database) {
        database.ifPresent(this::requireDatabase);
        // New clients wait until RESUME, as in PgBouncer; the servers close as their clients let go of them.
        pools.pause(database);
        terminate(client -> database.isEmpty() || database.get().equals(client.info().database()));
        pools.reconnect(database);
    }

    @Override
    public void killClient(long id) {
        int killed = terminate(client -> client.info().id() == id);
        if (killed == 0) {
            throw new AdminException(SqlState.UNDEFINED_OBJECT, "no client with id " + id
                    + "; SHOW CLIENTS lists the ids");
        }
    }

    @Override
    public void killTenant(String tenant) {
        PgmuxConfig config = pools.config();
        if (!config.tenants().containsKey(tenant)) {
            throw new AdminException(SqlState.UNDEFINED_OBJECT, "tenant \"" + tenant + "\" is not configured");
        }
        terminate(client -> config.tenantOf(client.info().user()).map(TenantConfig::name)
                .filter(tenant::equals).isPresent());
    }

    @Override
    public CompletionStage<Void> waitClose(Optional<String> database) {
        database.ifPresent(this::requireDatabase);
        return when(() -> pools.serversInUse(database) == 0 && pools.serversClosing(database) == 0);
    }

    @Override
    public CompletionStage<Void> suspend() {
        if (!pools.pause(Optional.empty())) {
            throw new AdminException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "pgmux is already paused");
        }
        suspended = true;
        return when(() -> pools.serversInUse(Optional.empty()) == 0);
    }

    @Override
    public CompletionStage<java.util.List<String>> reload() {
        return server.reload();
    }

    @Override
    public void shutdown(ShutdownMode mode) {
        switch (mode) {
            case IMMEDIATE:
                server.shutdownNow();
                break;
            case WAIT_FOR_SERVERS:
                server.shutdown(pools.config().timeouts().shutdownTimeout(), false);
                break;
            case WAIT_FOR_CLIENTS:
                server.shutdown(pools.config().timeouts().shutdownTimeout(), true);
                break;
            default:
                throw new IllegalStateException("no shutdown for " + mode);
        }
    }

    @Override
    public CompletionStage<Void> set(String key, String value) {
        if (LiveSettings.needsRestart(key)) {
            throw new AdminException(new PgError(PgError.ERROR, SqlState.CANT_CHANGE_RUNTIME_PARAM, "parameter \""
                    + key + "\" cannot be changed without restarting pgmux", null,
                    "Change it in the configuration file and restart pgmux."));
        }
        if (!LiveSettings.isSettable(key)) {
            if (ConfigRows.keys().contains(key.toLowerCase(java.util.Locale.ROOT))) {
                throw new AdminException(new PgError(PgError.ERROR, SqlState.CANT_CHANGE_RUNTIME_PARAM,
                        "parameter \"" + key + "\" can be changed only in the configuration file", null,
                        "Change it in the file and run RELOAD; SET takes " + String.join(", ", LiveSettings.keys())
                                + "."));
            }
            throw new AdminException(new PgError(PgError.ERROR, SqlState.UNDEFINED_OBJECT,
                    "unrecognized configuration parameter \"" + io.pgmux.admin.Excerpt.of(key) + "\"", null,
                    "SHOW CONFIG lists pgmux's settings; SET takes " + String.join(", ", LiveSettings.keys()) + "."));
        }
        try {
            LiveSettings.apply(pools.config(), key, value); // the value is checked here, answered at once
        } catch (IllegalArgumentException e) {
            throw new AdminException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for parameter \"" + key
                    + "\": " + e.getMessage());
        }
        // The log line that says it is in force repeats a bounded part of the value (a server_reset_query may be long).
        return server.change("SET " + key + " = " + io.pgmux.admin.Excerpt.of(value),
                config -> LiveSettings.apply(config, key, value));
    }

    private void requireDatabase(String database) {
        if (pools.config().database(database).isEmpty()) {
            throw new AdminException(SqlState.INVALID_CATALOG_NAME, "database \""
                    + io.pgmux.admin.Excerpt.of(database) + "\" is not configured; SHOW DATABASES lists them");
        }
    }

    private int terminate(Predicate<ClientConnection> which) {
        int[] count = {0};
        clients.forEachClient(client -> {
            if (which.test(client)) {
                count[0]++;
                client.terminate(KILLED);
            }
        });
        return count[0];
    }

    /** A stage completed once {@code condition} holds, checked every few milliseconds on an event loop. */
    private CompletionStage<Void> when(BooleanSupplier condition) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (condition.getAsBoolean()) {
            done.complete(null);
            return done;
        }
        ScheduledFuture<?> poll = loops.next().scheduleAtFixedRate(() -> {
            if (done.isDone() || condition.getAsBoolean()) {
                done.complete(null);
            }
        }, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        done.whenComplete((ignored, error) -> poll.cancel(false));
        return done;
    }
}
