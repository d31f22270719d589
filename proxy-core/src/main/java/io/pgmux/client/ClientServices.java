package io.pgmux.client;

import io.pgmux.admin.AdminConsole;
import io.pgmux.admin.AdminRole;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.PoolManager;
import io.pgmux.server.ServerConnector;
import io.pgmux.tls.ClientTlsSource;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What every client connection needs from the running proxy; built once by the runtime and shared. The
 * configuration is the one in force ({@link PoolManager#config()}), read anew for each decision, so a reload
 * reaches every new login.
 */
public final class ClientServices {
    private final PoolManager pools;
    private final ServerConnector connector;
    private final CancelRegistry cancels;
    private final PeerCancels peerCancels;
    /** Databases whose new logins are refused (DISABLE). */
    private final java.util.Set<String> disabled = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Swapped whole on reload: it derives the SCRAM secrets of the configured users. */
    private volatile ClientAuthenticator authenticator;
    /** Swapped with the authenticator on reload. */
    private volatile LoginAuthorization logins;
    private final io.pgmux.auth.ScramKeys scramKeys;
    private final ClientTlsSource clientTls;
    private final AtomicInteger clients = new AtomicInteger();
    /** Client connections in a logging-in state ({@link ClientState#isLoggingIn}), counted by their transitions. */
    private final AtomicInteger loggingIn = new AtomicInteger();
    /** Console sessions beyond max_client_connections, at most {@link #CONSOLE_RESERVED_CONNECTIONS}. */
    private final AtomicInteger consoleReserve = new AtomicInteger();
    /** Set once, when a graceful shutdown begins: new logins are refused from then on. */
    private volatile boolean shuttingDown;
    /**
     * Set once, when a graceful shutdown that closes clients between transactions begins; read once per login, so
     * a client that logs in while {@link #drainClients} tells the others is told too.
     */
    private volatile boolean draining;
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> clientsByTenant =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** log_slow_query in nanoseconds, {@link Long#MAX_VALUE} when off; read on every query, so kept apart. */
    private volatile long slowQueryNanos;
    private final io.netty.channel.group.ChannelGroup channels;
    private final java.util.concurrent.Executor loginWork;
    private final io.pgmux.authquery.AuthQueryLookup authQuery;
    private final Supplier<AdminConsole> console;
    private final io.pgmux.session.SharedStartupSettings startupSettings = new io.pgmux.session.SharedStartupSettings();
    private final io.pgmux.session.SqlLexers sqlLexers = new io.pgmux.session.SqlLexers();
    private final AcceptedStartupSettings acceptedSettings = new AcceptedStartupSettings();
    /** What the clients' partial messages may hold together: half the process's direct memory. */
    private final io.pgmux.codec.CarryBudget carryBudget = io.pgmux.codec.CarryBudget.ofDirectMemory();

    /**
     * @param channels every client channel joins it, so shutdown can close them all
     * @param console  the admin console that logins to database {@code pgmux} reach (built after these services,
     *                 whose client count it shows)
     */
    public ClientServices(PgmuxConfig config, PoolManager pools, ServerConnector connector,
                          io.netty.channel.group.ChannelGroup channels, Supplier<AdminConsole> console) {
        this(config, pools, connector, channels, console, LoginWork.newExecutor());
    }

    /**
     * @param loginWork runs the work of logins that must not run on an event loop (key derivations); tests pass
     *                  one they drive by hand
     */
    public ClientServices(PgmuxConfig config, PoolManager pools, ServerConnector connector,
                          io.netty.channel.group.ChannelGroup channels, Supplier<AdminConsole> console,
                          java.util.concurrent.Executor loginWork) {
        this.loginWork = loginWork;
        this.channels = channels;
        this.console = console;
        this.pools = pools;
        this.connector = connector;
        // peer_id is the running process's for its whole life: keys already handed out carry it.
        CancelKeys keys = new CancelKeys(config.peers().peerId());
        this.cancels = new CancelRegistry(keys);
        this.peerCancels = new PeerCancels(keys, connector, () -> pools.config().peers());
        this.scramKeys = pools.scramKeys();
        this.authenticator = new ClientAuthenticator(config, scramKeys);
        this.logins = new LoginAuthorization(config, authenticator);
        this.clientTls = new ClientTlsSource(config.clientTls());
        this.authQuery = new io.pgmux.authquery.AuthQueryLookup(config, connector, scramKeys,
                io.netty.util.concurrent.Ticker.systemTicker());
        this.slowQueryNanos = slowQueryNanos(config);
    }

    /**
     * Derives the SCRAM secrets of the configuration's plaintext passwords on a login-work thread, so that logins
     * find them ready ({@link ClientAuthenticator#deriveAll}); called once pgmux listens, and after a reload. When
     * the login work's queue is full, the logins that need a secret derive it themselves, on that same work.
     */
    public void deriveSecrets() {
        ClientAuthenticator current = authenticator;
        try {
            loginWork.execute(current::deriveAll);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Logins fill the queue: each that needs a secret derives it there, as it would before this pass.
        }
    }

    /** Where the passwords of users that are not configured are looked up (auth_query). */
    io.pgmux.authquery.AuthQueryLookup authQuery() {
        return authQuery;
    }

    private static long slowQueryNanos(PgmuxConfig config) {
        long nanos = config.log().logSlowQuery().toNanos();
        return nanos > 0 ? nanos : Long.MAX_VALUE;
    }

    /** log_slow_query in force, in nanoseconds; {@link Long#MAX_VALUE} when off. */
    long slowQueryNanos() {
        return slowQueryNanos;
    }

    /**
     * The TLS context new client connections use; {@link ClientTlsSource#reload} swaps it (certificate rotation)
     * without touching connections already running.
     */
    public ClientTlsSource clientTls() {
        return clientTls;
    }

    /** The configuration in force now. */
    public PgmuxConfig config() {
        return pools.config();
    }

    /**
     * Prepares the client side for {@code next} before it is installed: the client TLS context is rebuilt from its
     * files; the SCRAM secrets of plaintext passwords that did not change are kept, and those that did are derived
     * on a login-work thread ({@link #deriveSecrets}).
     *
     * @throws io.pgmux.tls.TlsSetupException when the new TLS files cannot be used; nothing has changed then
     */
    public void reconfigure(PgmuxConfig next) {
        ClientAuthenticator nextAuthenticator = authenticator.reloaded(next);
        LoginAuthorization nextLogins = new LoginAuthorization(next, nextAuthenticator);
        clientTls.reload(next.clientTls());
        authQuery.reconfigure(next);
        authenticator = nextAuthenticator;
        logins = nextLogins;
        slowQueryNanos = slowQueryNanos(next);
        deriveSecrets();
    }

    /** The bound every client's message framer gathers messages that span reads under. */
    io.pgmux.codec.CarryBudget carryBudget() {
        return carryBudget;
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

    AdminConsole console() {
        return console.get();
    }

    CancelRegistry cancels() {
        return cancels;
    }

    /** Where a login's key derivations run, off the event loops ({@link LoginWork}). */
    java.util.concurrent.Executor loginWork() {
        return loginWork;
    }

    /** One SQL lexer per event loop, for the sessions it serves. */
    io.pgmux.session.SqlLexers sqlLexers() {
        return sqlLexers;
    }

    /** The startup settings clients share, one copy per distinct set. */
    io.pgmux.session.SharedStartupSettings startupSettings() {
        return startupSettings;
    }

    /** The startup settings each pool's database has taken: a login that sends them is greeted at once. */
    AcceptedStartupSettings acceptedSettings() {
        return acceptedSettings;
    }

    PeerCancels peerCancels() {
        return peerCancels;
    }

    LoginAuthorization logins() {
        return logins;
    }

    /**
     * Console sessions (database {@code pgmux}) of admin.users and admin.stats_users that may log in beyond
     * max_client_connections, so that one user filling the cap cannot lock the operator out of the console that
     * could KILL it: PostgreSQL keeps superuser_reserved_connections (default 3) for the same reason, and three
     * leave room for an operator's psql, a status command and a metrics exporter at once.
     */
    static final int CONSOLE_RESERVED_CONNECTIONS = 3;

    /**
     * Counts a new client in against pgmux's max_client_connections, before it authenticates: the limit is the
     * same whoever the client claims to be, so refusing says nothing about users or databases. A login to the
     * console that finds the cap full is not refused here: {@link #admitToConsole} decides once it has
     * authenticated.
     *
     * @return the setting that refused the client (nothing is counted then), or null when it is admitted
     */
    String admitClient(Admission admission) {
        int limit = config().maxClientConnections();
        return admission.take(clients, limit) ? null : "max_client_connections = " + limit;
    }

    /**
     * Counts an authenticated console session of an admin or stats user in: against max_client_connections when
     * it took a slot at its StartupMessage or one has freed since, else against the
     * {@link #CONSOLE_RESERVED_CONNECTIONS} beyond it. As PostgreSQL checks superuser_reserved_connections only
     * after authentication (InitPostgres), a flood of logins that never authenticate uses none of the reserve; like
     * sockets that have not sent a StartupMessage yet, they are bounded by client_login_timeout.
     *
     * @return what refused the session (nothing is counted then), or null when it is admitted
     */
    String admitToConsole(Admission admission) {
        if (admission.holds(clients)) {
            return null;
        }
        int limit = config().maxClientConnections();
        if (admission.take(clients, limit) || admission.take(consoleReserve, CONSOLE_RESERVED_CONNECTIONS)) {
            return null;
        }
        return "max_client_connections = " + limit + ", and the " + CONSOLE_RESERVED_CONNECTIONS
                + " console connections reserved beyond it are in use";
    }

    /**
     * Counts an authenticated client in against its tenant's max_client_connections, as PostgreSQL checks a
     * role's connection limit only after authentication.
     *
     * @return the setting that refused the client (nothing is counted then), or null when it is admitted
     */
    String admitToTenant(Admission admission, String user) {
        io.pgmux.config.TenantConfig tenant = config().tenantOf(user).orElse(null);
        if (tenant == null || tenant.maxClientConnections() <= 0) {
            return null;
        }
        AtomicInteger counter = clientsByTenant.computeIfAbsent(tenant.name(), k -> new AtomicInteger());
        return admission.take(counter, tenant.maxClientConnections()) ? null
                : "max_client_connections = " + tenant.maxClientConnections() + " of tenant " + tenant.name();
    }

    /** Runs the client timeouts; each client checks itself on its own event loop. */
    public void checkClientTimeouts() {
        io.pgmux.config.Timeouts timeouts = config().timeouts();
        if (timeouts.clientIdleTimeout().isZero() && timeouts.idleTransactionTimeout().isZero()
                && timeouts.queryTimeout().isZero()) {
            return;
        }
        long now = System.nanoTime();
        cancels.forEach(client -> client.eventLoop().execute(() -> client.checkTimeouts(now, timeouts)));
    }

    /**
     * A login failed authentication. A user pgmux knows (configured, or found by auth_query) gave a wrong password
     * (PostgreSQL's 28P01 "password authentication failed for user"): counted as that, per database and user, on a
     * configured database, on the admin console and on a database pgmux does not serve alike, as PostgreSQL too
     * checks the password before the database. A user pgmux does not know: counted per database only. A database
     * pgmux does not serve is counted under one name for all (the names of unknown users and databases are
     * whatever clients send). Neither makes a pool: no pool's statistics are made for a login that failed.
     *
     * @param foundByAuthQuery whether auth_query found a password for the user, whom the configuration does not list
     * @return why, for the operator's log only (the client is told the same in both cases, as PostgreSQL tells it):
     *         the user's password did not match, or there is no such user
     */
    String authFailed(String database, String user, boolean foundByAuthQuery) {
        PgmuxConfig config = config();
        String counted = AdminRole.isConsoleDatabase(database) || config.database(database).isPresent()
                ? database : NOT_CONFIGURED;
        if (foundByAuthQuery || config.user(user).isPresent()) {
            String tenant = config.tenantOf(user).map(io.pgmux.config.TenantConfig::name).orElse(null);
            pools.stats().authFailed(counted, user, tenant);
            return "the password does not match";
        }
        pools.stats().unknownUserLogin(counted);
        return "no such user: not in users" + (config.authQueryFor(database).isPresent() ? ", and auth_query found none"
                : "");
    }

    /**
     * DISABLE: new logins to {@code database} are refused (55000, as PostgreSQL refuses a database that does not
     * allow connections); connected clients go on.
     *
     * @return false when it was disabled already
     */
    public boolean disable(String database) {
        return disabled.add(database);
    }

    /** ENABLE: undoes {@link #disable}; false when it was not disabled. */
    public boolean enable(String database) {
        return disabled.remove(database);
    }

    /**
     * A graceful shutdown began: new logins, other than to the admin console, get PostgreSQL's
     * {@code 57P03 the database system is shutting down}; logged-in clients carry on.
     */
    public void refuseNewLogins() {
        shuttingDown = true;
    }

    boolean isShuttingDown() {
        return shuttingDown;
    }

    /**
     * A graceful shutdown that lets transactions finish began (after {@link #refuseNewLogins}): every logged-in
     * pooled client is told once, on its own event loop, and leaves with FATAL 57P01 when its transaction ends (now,
     * if it is between transactions); a client that finishes logging in from now on is told at its login.
     */
    public void drainClients() {
        draining = true;
        forEachClient(ClientConnection::drainStarted);
    }

    /** Whether {@link #drainClients} was called: a new pooled session starts draining. */
    boolean isDraining() {
        return draining;
    }

    public boolean isDisabled(String database) {
        return !disabled.isEmpty() && disabled.contains(database);
    }

    /** Every logged-in client, for the console and shutdown; clients logging in meanwhile may be missed. */
    public void forEachClient(java.util.function.Consumer<ClientConnection> action) {
        cancels.forEach(action);
    }

    /** The database label of failed logins to a database that is not in the configuration. */
    static final String NOT_CONFIGURED = "(not configured)";

    /** A connection's login began (it connected) or ended (logged in or closed): +1 or -1. */
    void loginsChanged(int delta) {
        loggingIn.addAndGet(delta);
    }

    /**
     * Client connections logging in now: connected and not yet logged in or closed, whether or not they have sent a
     * StartupMessage (PgBouncer's login_clients).
     */
    public int loginClientCount() {
        return loggingIn.get();
    }

    /** Clients counted against max_client_connections, and console sessions beyond it. */
    public int clientCount() {
        return clients.get() + consoleReserve.get();
    }
}
