package io.pgmux.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgmux.admin.AdminConsole;
import io.pgmux.admin.live.ClientDirectory;
import io.pgmux.admin.live.LiveAdminView;
import io.pgmux.client.ClientChannelInitializer;
import io.pgmux.client.ClientServices;
import io.pgmux.config.ListenConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.RestartOnlySetting;
import io.pgmux.fleet.LeaseKeeper;
import io.pgmux.metrics.HttpEndpoint;
import io.pgmux.metrics.MetricsRegistry;
import io.pgmux.metrics.Readiness;
import io.pgmux.metrics.ServingState;
import io.pgmux.pool.PoolManager;
import io.pgmux.pool.ServerPool;
import io.pgmux.server.ServerConnector;
import io.pgmux.server.UpstreamSlots;
import io.pgmux.stats.StatsPeriod;
import io.pgmux.stats.StatsRegistry;
import io.pgmux.tls.UpstreamTlsContexts;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.admin.spi.RunState;
import io.pgmux.config.ConfigException;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.FileErrors;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running pgmux: one group of event loops (one per two cores unless {@code workers} says otherwise) that accepts
 * clients, serves them and talks to the databases; the pool manager; and the periodic maintenance.
 */
public final class PgmuxServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PgmuxServer.class);
    /** PgBouncer's stats_period default: SHOW STATS' averages cover the last complete period of this length. */
    static final long STATS_PERIOD_SECONDS = 60;

    /**
     * The configuration pgmux started with, for what only a restart changes (listen, workers, metrics, the
     * connector's timeout and message size). Everything else follows {@link #reconfigure}: the configuration in
     * force is {@link PoolManager#config()}.
     */
    private final PgmuxConfig config;
    private final Transport transport;
    private final EventLoopGroup loops;
    private final int workers;
    private final PoolManager pools;
    private final ClientServices services;
    private final StatsRegistry stats = new StatsRegistry();
    private final StatsPeriod statsPeriod = new StatsPeriod(stats, System.nanoTime());
    private final Readiness readiness;
    private final UtilizationWarnings utilizationWarnings = new UtilizationWarnings();
    /** The slots each upstream ("host:port") had when last asked, for SHOW BUDGETS. */
    private final Map<String, UpstreamSlots> upstreamSlots = new ConcurrentHashMap<>();
    private final AdminConsole console;
    private volatile ServingState state = ServingState.STARTING;
    private final ChannelGroup channels = new DefaultChannelGroup("pgmux", GlobalEventExecutor.INSTANCE);
    private Channel listener;
    /** This process's own peer address (peers[peer_id]) when it differs from listen; else null. */
    private Channel peerListener;
    private ScheduledFuture<?> maintenance;
    private ScheduledFuture<?> waiterCheck;
    private ScheduledFuture<?> statsRoll;
    /** The metrics and health endpoint, its registry and its own event loop, once started (if enabled). */
    private EventLoopGroup metricsLoop;
    private MetricsRegistry metrics;
    private HttpEndpoint endpoint;
    private InetSocketAddress metricsAddress;

    /** The file RELOAD and SIGHUP read again; null when pgmux was started from a configuration in memory. */
    private final Path configFile;
    private final Function<PgmuxConfig, List<String>> unapplied;
    /** One reload at a time, never on an event loop: it reads a file and derives SCRAM secrets. */
    private final ExecutorService reloader = Executors.newSingleThreadExecutor(daemon("pgmux-reload"));
    private final Drain drain;
    private final ProxyControl control;
    private final Optional<LeaseKeeper> fleet;
    /** The servers' TLS contexts, shared by the pools' connections and the upstream checks. */
    private final UpstreamTlsContexts upstreamTls;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    public PgmuxServer(PgmuxConfig config) {
        this(config, null);
    }

    /** @param configFile the file {@code config} was read from, read again by {@link #reload} */
    public PgmuxServer(PgmuxConfig config, Path configFile) {
        this(config, configFile, next -> List.of());
    }

    /**
     * @param configFile the file {@code config} was read from, read again by {@link #reload}
     * @param unapplied  the settings of a configuration that this build reads but does not apply, one line each
     *                   (what {@code run} refuses to start with); {@link #reload} refuses a file that has any
     */
    public PgmuxServer(PgmuxConfig config, Path configFile, Function<PgmuxConfig, List<String>> unapplied) {
        this.config = config;
        this.configFile = configFile;
        this.unapplied = unapplied;
        this.transport = Transport.of(config.transport());
        this.workers = config.eventLoops(Runtime.getRuntime().availableProcessors());
        this.loops = transport.newGroup(workers, "pgmux-io");
        // One pool of threads for the key derivations of all logins, clients' and servers' alike.
        java.util.concurrent.Executor loginWork = io.pgmux.client.LoginWork.newExecutor();
        // Settings that read files are built now, so a bad file refuses the start; the rest once listening.
        this.upstreamTls = UpstreamTlsContexts.of(config, loginWork);
        ServerConnector connector = new ServerConnector(transport.clientChannels(),
                config.timeouts().serverConnectTimeout(), config.maxMessageSize(), channels, upstreamTls, loginWork);
        this.pools = new PoolManager(config, connector, loops, stats);
        this.services = new ClientServices(config, pools, connector, channels, this::console, loginWork);
        this.fleet = config.fleet().enabled()
                ? Optional.of(new LeaseKeeper(config, pools.leasedBudgets(), pools.scramKeys(), upstreamTls))
                : Optional.empty();
        this.control = new ProxyControl(this, loops);
        LiveAdminView view = new LiveAdminView(pools, statsPeriod, services::clientCount,
                address -> Optional.ofNullable(upstreamSlots.get(address)), new ClientDirectory() {
                    @Override
                    public void forEachClient(java.util.function.Consumer<io.pgmux.client.ClientConnection> action) {
                        services.forEachClient(action);
                    }

                    @Override
                    public boolean isDisabled(String database) {
                        return services.isDisabled(database);
                    }

                    @Override
                    public int loginClients() {
                        return services.loginClientCount();
                    }
                }, control::pauseState, () -> fleet.map(FleetRows::of).orElse(List.of()), this::runState);
        this.console = new AdminConsole(view, control, Release.version());
        this.readiness = new Readiness(pools, () -> state, address -> fleet
                .filter(keeper -> keeper.keepsLeasesAt(address))
                .map(keeper -> keeper.isConnected(address) ? Readiness.FleetControl.UP : Readiness.FleetControl.DOWN)
                .orElse(Readiness.FleetControl.NONE));
        this.drain = new Drain(services, pools, loops);
    }

    /** The keeper of this instance's fleet leases, when {@code fleet.enabled}. */
    public Optional<LeaseKeeper> fleet() {
        return fleet;
    }

    /** What the admin console changes: PAUSE, KILL, RELOAD, SHUTDOWN and the rest. */
    public ProxyControl control() {
        return control;
    }

    private static ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Binds the listener and starts maintenance; returns the bound address (useful with port 0). */
    public InetSocketAddress start() throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channelFactory(transport.serverChannels())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ClientChannelInitializer(services));
        ServerBootstrap shared = bootstrap.clone();
        if (config.listen().soReuseport()) {
            transport.reusePort(shared);
        }
        listener = shared.bind(config.listen().host(), config.listen().port()).sync().channel();
        Optional<ListenConfig> own = config.peers().own()
                .filter(address -> !address.equals(new ListenConfig(config.listen().host(), config.listen().port())));
        if (own.isPresent()) {
            // The address of this process alone, where peers forward the cancel requests of its clients.
            try {
                peerListener = bootstrap.bind(own.get().host(), own.get().port()).sync().channel();
            } catch (Exception e) { // a failed bind comes as a checked exception Netty throws unchecked
                listener.close().syncUninterruptibly();
                throw new IllegalStateException("cannot listen on this process's peer address " + own.get().host()
                        + ":" + own.get().port() + " (peers." + config.peers().peerId() + "): " + e.getMessage(), e);
            }
        }
        fleet.ifPresent(LeaseKeeper::start);
        maintenance = loops.next().scheduleAtFixedRate(this::maintain, 1, 1, TimeUnit.SECONDS);
        // Frequent and cheap: the reserve pool and the wait timeouts are due within a tenth of a second.
        waiterCheck = loops.next().scheduleAtFixedRate(this::checkWaiters, 100, 100, TimeUnit.MILLISECONDS);
        statsRoll = loops.next().scheduleAtFixedRate(this::rollStats, STATS_PERIOD_SECONDS, STATS_PERIOD_SECONDS,
                TimeUnit.SECONDS);
        if (config.metrics().enabled()) {
            startMetrics();
        }
        state = ServingState.SERVING;
        // The JDK's TLS stack loads and builds after the listener is up, off the event loops (UpstreamTlsContexts);
        // so are the configured users' SCRAM secrets derived.
        upstreamTls.prepare(config);
        services.deriveSecrets();
        InetSocketAddress address = (InetSocketAddress) listener.localAddress();
        log.info("pgmux listening on {}:{} ({} transport, {} event loop{}, pool_mode {}{})", address.getHostString(),
                address.getPort(), transport.name(), workers, workers == 1 ? "" : "s", config.poolMode().configName(),
                config.listen().soReuseport() ? ", so_reuseport" : "");
        if (peerListener != null) {
            InetSocketAddress peerAddress = (InetSocketAddress) peerListener.localAddress();
            log.info("peer {} also listening on {}:{}", config.peers().peerId(), peerAddress.getHostString(),
                    peerAddress.getPort());
        }
        return address;
    }

    /**
     * The HTTP endpoint runs on one event loop of its own: a scrape formats every series and reads every pool's
     * snapshot, which must delay no client, and probes are answered even while the client loops are saturated.
     */
    private void startMetrics() throws InterruptedException {
        metricsLoop = transport.newGroup(1, "pgmux-metrics");
        metrics = new MetricsRegistry(config, pools, readiness, services::isDisabled);
        fleet.ifPresent(keeper -> metrics.bind(new io.pgmux.fleet.FleetMetrics(keeper)));
        endpoint = new HttpEndpoint(config.metrics(), metricsLoop, transport.serverChannels(), metrics, readiness);
        try {
            metricsAddress = endpoint.start();
        } catch (Exception e) { // a failed bind comes as a checked exception Netty throws unchecked
            throw new IllegalStateException("the metrics endpoint cannot listen on " + config.metrics().host() + ":"
                    + config.metrics().port() + " (metrics.host, metrics.port): " + e.getMessage(), e);
        }
        log.info("metrics and health on http://{}:{}/metrics", metricsAddress.getHostString(),
                metricsAddress.getPort());
    }

    private void checkWaiters() {
        try {
            pools.serveLongWaiters();
            pools.checkWaits();
        } catch (RuntimeException e) {
            log.warn("checking waiting clients failed", e);
        }
    }

    private void maintain() {
        try {
            pools.closeExpiredIdleServers();
            pools.openMinimumConnections();
            services.checkClientTimeouts();
            utilizationWarnings.check(pools.pools().stream().map(ServerPool::snapshot).toList(),
                    pools.config().log().utilizationWarnPercent(), System.nanoTime());
        } catch (RuntimeException e) {
            log.warn("maintenance failed", e);
        }
    }

    private void rollStats() {
        statsPeriod.roll(System.nanoTime());
        if (pools.config().log().logStats()) {
            StatsLog.log(statsPeriod.averages());
        }
    }

    /**
     * Installs a reloaded configuration while clients run: the client side first (it derives the users' SCRAM
     * secrets, here on the caller's thread, which must not be an event loop), then the pools in one swap (budgets
     * resized, databases, users and tenants added and removed, servers whose target changed closed once idle;
     * see {@link PoolManager#reconfigure}). Settings only a restart changes ({@link RestartOnlySetting}) keep their
     * running values (in the configuration in force too, {@link PgmuxConfig#withRestartOnlyFrom}); changing them is
     * logged. Clients keep their connections.
     *
     * @return the settings {@code next} changes that keep their running values until a restart (empty when none)
     */
    public List<String> reconfigure(PgmuxConfig file) {
        List<String> restartOnly = RestartOnlySetting.changes(config, file);
        PgmuxConfig next = file.withRestartOnlyFrom(config);
        ReloadRemovals.report(pools.config(), next, services::forEachClient);
        services.reconfigure(next);
        upstreamTls.prepare(next);
        pools.reconfigure(next);
        fleet.ifPresent(keeper -> keeper.reconfigure(next));
        if (restartOnly.isEmpty()) {
            log.info("configuration reloaded");
        } else {
            log.warn("configuration reloaded; the file changes {}", RestartOnlySetting.keptUntilRestart(restartOnly));
        }
        return restartOnly;
    }

    /**
     * RELOAD and SIGHUP: reads the configuration file again on a thread of its own and installs it
     * ({@link #reconfigure}), then checks the budgets against the upstreams again in the background. The stage
     * completes with the settings that keep their running values until a restart, or fails with an
     * {@link AdminException}: {@code F0000} (config_file_error) for a file that is not valid, with
     * its problems, or for one that sets what this build does not apply (as {@code run} refuses it at start),
     * {@code 58030} (io_error) for one that cannot be read; the running configuration stays then.
     */
    public CompletableFuture<List<String>> reload() {
        CompletableFuture<List<String>> done = new CompletableFuture<>();
        if (configFile == null) {
            done.completeExceptionally(new AdminException(SqlState.FEATURE_NOT_SUPPORTED,
                    "pgmux was started without a configuration file; there is nothing to reload"));
            return done;
        }
        reloader.execute(() -> {
            try {
                PgmuxConfig next = loadForReload();
                List<String> notApplied = unapplied.apply(next);
                if (!notApplied.isEmpty()) {
                    throw new AdminException(new PgError(PgError.ERROR, SqlState.CONFIG_FILE_ERROR, "RELOAD refused: "
                            + configFile + " sets what this version reads but does not apply yet; the running"
                            + " configuration stays", String.join("\n", notApplied),
                            "Remove these settings from the file and run RELOAD again."));
                }
                List<String> restartOnly = reconfigure(next);
                checkUpstreamsInBackground();
                done.complete(restartOnly);
            } catch (ConfigException e) {
                // One log line (a log shipper reads line by line); the console's DETAIL keeps a problem a line.
                log.warn("RELOAD refused: {} is not valid; the running configuration stays: {}", configFile,
                        oneLine(e.getMessage()));
                done.completeExceptionally(new AdminException(new PgError(PgError.ERROR,
                        SqlState.CONFIG_FILE_ERROR, "RELOAD refused: " + configFile + " is not valid; the running"
                        + " configuration stays", e.getMessage(), "Fix the file and run RELOAD again.")));
            } catch (AdminException e) {
                log.warn("{}{}", e.error().message(),
                        e.error().detail() == null ? "" : ": " + oneLine(e.error().detail()));
                done.completeExceptionally(e);
            } catch (RuntimeException e) {
                log.warn("RELOAD of {} failed", configFile, e);
                done.completeExceptionally(new AdminException(SqlState.INTERNAL_ERROR, "RELOAD failed: " + e));
            }
        });
        return done;
    }

    /**
     * The configuration file read again; one that cannot be read is {@code 58030} (io_error), with
     * {@link FileErrors}' reason, rather than a file that is not valid.
     */
    private PgmuxConfig loadForReload() {
        try {
            return ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            if (e.cannotRead().isPresent()) {
                throw new AdminException(SqlState.IO_ERROR, "RELOAD failed: cannot read " + configFile + ": "
                        + e.cannotRead().get() + "; the running configuration stays");
            }
            throw e;
        }
    }

    /**
     * Installs {@code change} of the configuration in force (the console's SET) as {@link #reload} installs the
     * file, on the same thread, one change at a time; the stage completes once it is in force.
     *
     * @param what what changes, for the log, e.g. {@code SET query_timeout = 5s}
     */
    public CompletableFuture<Void> change(String what, java.util.function.UnaryOperator<PgmuxConfig> change) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        reloader.execute(() -> {
            try {
                reconfigure(change.apply(pools.config()));
                log.info("{}: in force", what);
                done.complete(null);
            } catch (RuntimeException e) {
                log.warn("{} failed", what, e);
                done.completeExceptionally(new AdminException(SqlState.INTERNAL_ERROR, what + " failed: " + e));
            }
        });
        return done;
    }

    /**
     * Graceful shutdown (SIGTERM, SHUTDOWN): refuses new clients with FATAL 57P03 (with listen.so_reuseport it
     * closes the shared listener instead, so the other processes on the port take them) and takes pgmux out of
     * readiness; clients finish their current transactions, each closed with FATAL 57P01 once it is between
     * transactions; those still in one after {@code timeout} are closed too; then the servers are closed with
     * Terminate and the process's loops stop. {@code waitForClients} instead waits, without a limit, for every
     * client to leave by itself (SHUTDOWN WAIT_FOR_CLIENTS). Returns at once; the stage completes once pgmux has
     * stopped. A second call returns the same stage.
     */
    public CompletableFuture<Void> shutdown(Duration timeout, boolean waitForClients) {
        state = ServingState.SHUTTING_DOWN;
        if (listener != null && config.listen().soReuseport()) {
            // The processes sharing the port take the new connections from now on. Off the event loops (a signal,
            // a test) this returns once the kernel gives this process no more; the console's SHUTDOWN cannot wait.
            ChannelFuture closing = listener.close();
            if (!onEventLoop()) {
                closing.syncUninterruptibly();
            }
        }
        services.refuseNewLogins();
        // Otherwise still listening, as PostgreSQL does while it shuts down: a new client gets 57P03 rather than a
        // refused connection, and cancel requests (forwarded by peers too) still reach the clients that drain.
        return drain.start(timeout, waitForClients, this::closeInBackground);
    }

    private boolean onEventLoop() {
        for (EventExecutor each : loops) {
            if (each.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /** Immediate shutdown (SIGINT, a second SIGTERM, SHUTDOWN): every connection closes now. */
    public CompletableFuture<Void> shutdownNow() {
        return drain.now(this::closeInBackground);
    }

    /** The stage that completes once pgmux has stopped, however it was asked to. */
    public CompletableFuture<Void> stopped() {
        return drain.stopped();
    }

    private void closeInBackground(CompletableFuture<Void> stopped) {
        Thread closer = new Thread(() -> {
            try {
                close();
            } finally {
                drain.logStopped();
                stopped.complete(null);
            }
        }, "pgmux-close");
        closer.start();
    }

    /**
     * Compares the configured budgets with each upstream's connection slots, on a thread of its own (it blocks on
     * the network), and logs the outcome: the budget table, as a warning when the budgets do not fit.
     */
    public void checkUpstreamsInBackground() {
        Thread check = new Thread(() -> {
            for (UpstreamCheck.Result each : new UpstreamCheck(pools.config(), upstreamTls).run()) {
                each.slots().ifPresent(slots -> upstreamSlots.put(each.address(), slots));
                if (each.fits()) {
                    log.info("connection budgets fit upstream {}:\n{}", each.address(), each.report());
                } else {
                    log.warn("connection budgets checked against upstream {}:\n{}", each.address(), each.report());
                }
            }
        }, "pgmux-upstream-check");
        check.setDaemon(true);
        check.start();
    }

    public PoolManager pools() {
        return pools;
    }

    /** The admin console that logins to database {@code pgmux} reach. */
    public AdminConsole console() {
        return console;
    }

    public ClientServices services() {
        return services;
    }

    /** Where the metrics endpoint listens, once started; empty when metrics.enabled is false. */
    public Optional<InetSocketAddress> metricsAddress() {
        return Optional.ofNullable(metricsAddress);
    }

    /** The pools' statistics. */
    public StatsRegistry stats() {
        return stats;
    }

    /** SHOW STATS' averages: those of the last complete stats period. */
    public StatsPeriod statsPeriod() {
        return statsPeriod;
    }

    public Readiness readiness() {
        return readiness;
    }

    /** The serving state as the console's SHOW STATE shows it: the one {@code /health/ready} reports. */
    private RunState runState() {
        return switch (state) {
            case STARTING -> RunState.STARTING;
            case SERVING -> RunState.SERVING;
            case SHUTTING_DOWN -> RunState.SHUTTING_DOWN;
        };
    }

    /** Stops everything at once; a second call (after a shutdown finished, say) does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        reloader.shutdownNow();
        // First, so that readiness probes take pgmux out of rotation while it drains.
        state = ServingState.SHUTTING_DOWN;
        if (maintenance != null) {
            maintenance.cancel(false);
            waiterCheck.cancel(false);
            statsRoll.cancel(false);
        }
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        if (peerListener != null) {
            peerListener.close().syncUninterruptibly();
        }
        pools.closeAll();
        // Every client and server socket, whatever its state: nothing may outlive the event loops.
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        // After the server connections: until they have gone they count against the fleet's budgets.
        fleet.ifPresent(LeaseKeeper::close);
        // Last: scrapes and probes see the drain.
        if (endpoint != null) {
            endpoint.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (metricsLoop != null) {
            metricsLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Several lines as one, for a log line. */
    private static String oneLine(String lines) {
        return String.join("; ", lines.strip().split("\\R"));
    }
}
