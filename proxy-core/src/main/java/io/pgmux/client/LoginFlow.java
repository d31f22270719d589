package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.pgmux.admin.AdminRole;
import io.pgmux.admin.AdminSession;
import io.pgmux.auth.AuthenticationException;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.codec.MessageFramer;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.PoolMode;
import io.pgmux.pool.ServerPool;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.backend.Authentication;
import io.pgmux.protocol.backend.NegotiateProtocolVersion;
import io.pgmux.protocol.frontend.CancelRequest;
import io.pgmux.protocol.frontend.PasswordMessage;
import io.pgmux.protocol.frontend.StartupMessage;
import io.pgmux.protocol.frontend.StartupPacket;
import io.pgmux.session.SessionParameters;
import io.pgmux.session.SessionTracker;
import io.pgmux.session.StartupOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a client logs in: its StartupMessage (or CancelRequest; SSLRequest and GSSENCRequest were answered by the
 * {@link EncryptionNegotiator} in front), pgmux's max_client_connections, the password exchange, then what
 * PostgreSQL checks after authentication, and the hand-over: to a {@link PooledSession} of the client's pool, or
 * to the admin console for database {@code pgmux}. Confined to the client's event loop.
 */
final class LoginFlow implements ClientPhase {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LoginFlow.class);
    private final ClientConnection client;
    private final Channel channel;
    private final ClientServices services;
    private StartupMessage startup;
    private SessionParameters parameters;
    private PasswordExchange passwordExchange;
    /** The password auth_query found for a user that is not configured; null for a configured user. */
    private io.pgmux.config.StoredPassword foundPassword;

    LoginFlow(ClientConnection client, ClientServices services) {
        this.client = client;
        this.channel = client.channel();
        this.services = services;
    }

    @Override
    public void startupPacket(StartupPacket packet) {
        if (client.state() != ClientState.STARTUP) {
            throw new ProtocolException("startup packet after the startup phase");
        }
        if (packet instanceof CancelRequest) {
            CancelRequest cancel = (CancelRequest) packet;
            if (services.peerCancels().forward(cancel, channel)) {
                return;
            }
            ClientConnection target = services.cancels().find(cancel.processId(), cancel.secretKey());
            if (target != null) {
                target.cancelRequested();
            }
            channel.close();
        } else {
            startup((StartupMessage) packet);
        }
    }

    private void startup(StartupMessage message) {
        negotiateVersion(message);
        String user = message.parameter("user");
        if (user == null || user.isEmpty()) {
            client.fail(PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                    "no PostgreSQL user name specified in startup packet"));
            return;
        }
        String database = message.parameter("database");
        client.named(user, database == null || database.isEmpty() ? user : database);
        String replication = message.parameter("replication");
        if (replication != null && !List.of("false", "off", "no", "0").contains(replication.toLowerCase())) {
            client.fail(PgError.fatal(SqlState.FEATURE_NOT_SUPPORTED, "pgmux does not pool replication connections")
                    .withHint("Connect replication clients to the database directly."));
            return;
        }
        if (services.isShuttingDown() && acceptedByOpenListener() && !AdminRole.isConsoleDatabase(client.database())) {
            // What PostgreSQL answers a connection while it shuts down, before authentication; the console stays
            // open, so an operator can watch the drain.
            client.fail(PgError.fatal(SqlState.CANNOT_CONNECT_NOW, "the database system is shutting down")
                    .withDetail("pgmux is shutting down.")
                    .withHint("Connect again: another pgmux, or the one replacing this one, will answer."));
            return;
        }
        // Whether the user and the database exist is checked only after authentication, as PostgreSQL does, so
        // that neither can be probed without a password; this limit is the same for everyone, but for logins to
        // the console, which may use a reserve beyond it once authenticated (admitToConsole).
        String refusedBy = services.admitClient(client.admission());
        if (refusedBy != null && !AdminRole.isConsoleDatabase(client.database())) {
            refuseAdmission(refusedBy);
            return;
        }
        startup = message;
        parameters = SessionParameters.fromStartup(message.parameters(), services.startupSettings());
        // What the access rules and the connection (TLS, address, certificate) say, before any password.
        LoginAuthorization.Outcome outcome = services.logins().decide(channel, client.database(), user);
        if (outcome instanceof LoginAuthorization.Refused) {
            client.fail(((LoginAuthorization.Refused) outcome).error());
            return;
        }
        if (outcome instanceof LoginAuthorization.LookUp) {
            lookUp(services.logins(), (LoginAuthorization.LookUp) outcome);
            return;
        }
        if (outcome instanceof LoginAuthorization.Derive) {
            deriveFirst(services.logins(), (LoginAuthorization.Derive) outcome);
            return;
        }
        begin(((LoginAuthorization.Exchange) outcome).exchange());
    }

    private void begin(PasswordExchange exchange) {
        passwordExchange = exchange;
        if (passwordExchange.needsPassword()) {
            if (client.state() == ClientState.STARTUP) {
                client.transition(ClientState.AUTHENTICATING);
            }
            expectFromClient(passwordExchange.responses());
            channel.writeAndFlush(passwordExchange.firstRequest(channel.alloc(),
                    io.pgmux.tls.ServerEndPoint.ofLocal(channel)), channel.voidPromise());
        } else {
            authenticated();
        }
    }

    /**
     * A user that is not configured, on a database where auth_query applies: its password is looked up (from the
     * cache, or by the query on auth_user's connection) and the exchange made for it off the event loop, then the
     * login goes on on the channel's loop. A user the lookup does not find gets the exchange of any unknown user,
     * so the answer tells nobody which roles exist. The framer keeps whatever the client sends meanwhile.
     */
    private void lookUp(LoginAuthorization logins, LoginAuthorization.LookUp lookUp) {
        client.transition(ClientState.AUTHENTICATING);
        ChannelHandlerContext input = input();
        framerOf(input).hold(input);
        String user = client.user();
        services.authQuery().find(logins.config(), lookUp.lookup(), client.database(), user, channel.eventLoop())
                .whenComplete((found, error) -> {
                    if (error != null) {
                        backOnLoop(null, error);
                        return;
                    }
                    // Completed on auth_user's connection or from the cache: the exchange is made elsewhere, since
                    // a plaintext password from a custom query costs a key derivation.
                    exchangeOnLoginWork(found, () -> logins.exchangeFor(user, lookUp, found),
                            e -> lookedUp(null, e));
                });
    }

    /**
     * A configured user whose SCRAM secret (of a plaintext password) is not derived yet: the exchange is made on a
     * login-work thread, which derives it, then the login goes on on the channel's loop. The framer keeps whatever
     * the client sends meanwhile.
     */
    private void deriveFirst(LoginAuthorization logins, LoginAuthorization.Derive derive) {
        client.transition(ClientState.AUTHENTICATING);
        ChannelHandlerContext input = input();
        framerOf(input).hold(input);
        String user = client.user();
        exchangeOnLoginWork(Optional.empty(), () -> logins.exchangeFor(user, derive), this::derivationFailed);
    }

    /**
     * Makes the exchange on a {@link LoginWork} thread (it may derive a key), then goes on with it, and with the
     * password auth_query {@code found}, on the channel's loop ({@link #lookedUp}); a full queue fails the login
     * there with 53300. {@code failed} takes, on the loop, what making the exchange threw.
     */
    private void exchangeOnLoginWork(Optional<io.pgmux.config.StoredPassword> found,
                                     java.util.function.Supplier<PasswordExchange> exchange,
                                     java.util.function.Consumer<RuntimeException> failed) {
        try {
            services.loginWork().execute(() -> {
                PasswordExchange made;
                try {
                    made = exchange.get();
                } catch (RuntimeException e) {
                    onLoop(() -> failed.accept(e));
                    return;
                }
                backOnLoop(new Found(found, made), null);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            backOnLoop(null, e);
        }
    }

    /** Back on the event loop after a derivation threw: a fault of pgmux's, ended as any other for this client. */
    private void derivationFailed(RuntimeException failure) {
        if (client.state() == ClientState.AUTHENTICATING && passwordExchange == null) {
            client.failed(failure);
        }
    }

    private void onLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The event loop has shut down, and with it this client's channel: nobody is left to answer.
        }
    }

    private void backOnLoop(Found result, Throwable error) {
        onLoop(() -> lookedUp(result, error));
    }

    /** What auth_query found for a user, and the exchange made against it. */
    private record Found(Optional<io.pgmux.config.StoredPassword> password, PasswordExchange exchange) {
    }

    /** Back on the event loop after {@link #lookUp}. */
    private void lookedUp(Found result, Throwable error) {
        if (client.state() != ClientState.AUTHENTICATING || passwordExchange != null) {
            return; // closed meanwhile: the login timeout, or the client went away
        }
        ChannelHandlerContext input = input();
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof java.util.concurrent.RejectedExecutionException) {
                client.fail(PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, "pgmux: too many logins are being checked"
                        + " at once").withHint("Try again in a moment."));
            } else {
                log.warn("client {}: auth_query for user {} failed: {}", client.describe(), client.user(),
                        cause.toString());
                // The same for every user, known to the server or not: the failure says nothing about who exists.
                client.fail(PgError.fatal(SqlState.CANNOT_CONNECT_NOW, "pgmux could not look up the password of"
                        + " the user (auth_query failed)").withHint("See pgmux's log; try again in a moment."));
            }
        } else {
            foundPassword = result.password().orElse(null);
            begin(result.exchange());
        }
        if (input != null) {
            framerOf(input).resume(input);
        }
    }

    /**
     * Whether the listener that accepted this connection still listens while pgmux shuts down: then the connection
     * came after the shutdown began and is refused. A listener shared with SO_REUSEPORT is closed when the shutdown
     * begins, and a connection it accepted before is a client of this process like any other.
     */
    private boolean acceptedByOpenListener() {
        return channel.parent() == null || channel.parent().isOpen();
    }

    /**
     * Answers a request for protocol 3.x (x > 0) or for protocol options with what pgmux speaks, 3.0, as
     * PostgreSQL does (NegotiateProtocolVersion with PG_PROTOCOL_LATEST).
     */
    private void negotiateVersion(StartupMessage message) {
        List<String> options = new ArrayList<>();
        for (String each : message.parameters().keySet()) {
            if (each.startsWith("_pq_.")) {
                options.add(each);
            }
        }
        if (message.minorVersion() > 0 || !options.isEmpty()) {
            channel.write(new NegotiateProtocolVersion(StartupMessage.PROTOCOL_3_0, options).encode(channel.alloc()),
                    channel.voidPromise());
        }
    }

    /** Tells the framer which messages the client may send from now on; others fail at their type byte. */
    private void expectFromClient(ExpectedMessages next) {
        channel.pipeline().get(ClientHandler.class).framer().expect(next);
    }

    /** The client handler's context, whose framer cuts the client's input; null once the pipeline is gone. */
    private ChannelHandlerContext input() {
        return channel.pipeline().context(ClientHandler.class);
    }

    private static MessageFramer framerOf(ChannelHandlerContext input) {
        return ((ClientHandler) input.handler()).framer();
    }

    /** Only a password message may come while authenticating; before the StartupMessage, nothing. */
    @Override
    public void frameReceived(ByteBuf frame) {
        if (client.state() != ClientState.AUTHENTICATING) {
            frame.release();
            throw new ProtocolException("message before StartupMessage");
        }
        try {
            // The framer let only a password message through ('p', ExpectedMessages.PASSWORD_RESPONSE or
            // SASL_RESPONSE): its type needs no second look here.
            if (passwordExchange.checksOffLoop()) {
                checkOffLoop(passwordExchange, PasswordMessage.decode(frame.skipBytes(5)));
                return;
            }
            ByteBuf next = passwordExchange.step(frame.skipBytes(5), channel.alloc());
            if (next != null) {
                channel.write(next, channel.voidPromise());
            }
            if (passwordExchange.isComplete()) {
                authenticated();
            } else {
                channel.flush();
            }
        } catch (AuthenticationException e) {
            String why = services.authFailed(client.database(), client.user(), foundPassword != null);
            client.fail(PgError.fatal(SqlState.INVALID_PASSWORD, e.getMessage()), why);
        } finally {
            frame.release();
        }
    }

    /**
     * Checks a cleartext password on a {@link LoginWork} thread (against a SCRAM verifier it costs a PBKDF2 run)
     * and goes on with the login on the channel's event loop. Meanwhile the framer keeps whatever else the client
     * sends, and the login timeout still runs.
     */
    private void checkOffLoop(PasswordExchange exchange, String cleartext) {
        ChannelHandlerContext input = input();
        framerOf(input).hold(input);
        try {
            services.loginWork().execute(() -> {
                RuntimeException failure = null;
                try {
                    exchange.checkCleartext(cleartext);
                } catch (RuntimeException e) {
                    failure = e;
                }
                RuntimeException outcome = failure;
                onLoop(() -> checked(exchange, outcome));
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            client.fail(PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, "pgmux: too many logins are being checked"
                    + " at once").withHint("Try again in a moment."));
        }
    }

    /** Back on the event loop after {@link #checkOffLoop}: the login goes on unless the client left meanwhile. */
    private void checked(PasswordExchange exchange, RuntimeException failure) {
        if (client.state() != ClientState.AUTHENTICATING || passwordExchange != exchange) {
            return; // closed meanwhile: the login timeout, or the client went away
        }
        // Taken now: once the client is failed its pipeline may be gone.
        ChannelHandlerContext input = input();
        if (failure instanceof AuthenticationException) {
            String why = services.authFailed(client.database(), client.user(), foundPassword != null);
            client.fail(PgError.fatal(SqlState.INVALID_PASSWORD, failure.getMessage()), why);
        } else if (failure != null) {
            client.failed(failure);
        } else {
            authenticated();
        }
        if (input != null) {
            framerOf(input).resume(input);
        }
    }

    private void authenticated() {
        passwordExchange = null;
        expectFromClient(ExpectedMessages.FRONTEND);
        channel.write(Authentication.ok(channel.alloc()), channel.voidPromise());
        String user = client.user();
        String database = client.database();
        PgmuxConfig config = services.config();
        if (foundPassword != null) {
            // Its pool's servers log in with what the lookup found (a verifier: with this client's ClientKey).
            io.pgmux.config.UpstreamLogin login = config.upstreamLoginFor(database, user);
            if (login.password().isEmpty()) {
                config.database(database).ifPresent(db -> services.pools().scramKeys()
                        .rememberFound(db.host() + ":" + db.port(), login.user(), foundPassword));
            }
        } else if (config.user(user).isEmpty()) {
            // Only with auth_type trust: every other method has failed the exchange of an unknown user.
            client.fail(PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                    "role \"" + user + "\" does not exist"));
            return;
        }
        if (AdminRole.isConsoleDatabase(database)) {
            toConsole(config, user);
        } else {
            toPool(config, user, database);
        }
    }

    /**
     * What PostgreSQL checks once a client has authenticated (InitPostgres): that its database exists and that a
     * connection limit has room; then the session is set up for its pool mode.
     */
    private void toPool(PgmuxConfig config, String user, String database) {
        if (config.database(database).isEmpty()) {
            client.fail(PgError.fatal(SqlState.INVALID_CATALOG_NAME, "database \"" + database + "\" does not exist")
                    .withDetail("pgmux serves only the databases in its configuration.")
                    .withHint("Connect to one of: " + String.join(", ", config.databases().keySet())
                            + "; or add it under databases: in the pgmux configuration."));
            return;
        }
        if (services.isDisabled(database)) {
            // As PostgreSQL refuses a database with datallowconn = false; PgBouncer's DISABLE.
            client.fail(PgError.fatal(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "database \"" + database
                    + "\" is not currently accepting connections")
                    .withHint("An operator ran DISABLE on the pgmux console; ENABLE lets new connections in."));
            return;
        }
        String refusedBy = services.admitToTenant(client.admission(), user);
        if (refusedBy != null) {
            refuseAdmission(refusedBy);
            return;
        }
        ServerPool pool = services.pools().pool(database, user);
        ReleasePolicy policy = ReleasePolicy.of(config.poolModeFor(database, user), channel, pool, parameters);
        SessionTracker session = new SessionTracker(parameters, config.pinningFor(database, user), client::describe,
                policy.mode() != PoolMode.TRANSACTION, services.sqlLexers(), channel.eventLoop());
        PooledSession pooled = new PooledSession(client, services, pool, parameters, policy, session);
        client.registerForCancel();
        client.enter(pooled);
        pooled.start();
    }

    /**
     * The admin console (PgBouncer's database {@code pgmux}): a user of admin.users or admin.stats_users gets a
     * console session; no pool is made for it. Others are refused as PgBouncer refuses them, after
     * authentication, so the console tells nobody without a password which users exist.
     */
    private void toConsole(PgmuxConfig config, String user) {
        Optional<AdminRole> role = AdminRole.of(config.admin(), user);
        if (role.isEmpty()) {
            client.fail(AdminRole.notAllowed(user));
            return;
        }
        String refusedBy = services.admitToConsole(client.admission());
        if (refusedBy != null) {
            refuseAdmission(refusedBy);
            return;
        }
        client.registerForCancel();
        client.transition(ClientState.ADMIN);
        client.loggedIn();
        AdminSession session = AdminSession.start(channel, role.get(), user, consoleParameters(),
                client.cancelKey(), services.console());
        // The console reads every message from now on, through this phase; the client connection still gives back
        // the admission and the cancel key when the channel closes.
        client.enter(new ConsolePhase(client, session));
    }

    /** The StartupMessage's parameters with the {@code -c} switches of {@code options} expanded. */
    private Map<String, String> consoleParameters() {
        Map<String, String> expanded = new LinkedHashMap<>(startup.parameters());
        String options = expanded.remove("options");
        if (options != null) {
            expanded.putAll(StartupOptions.parse(options));
        }
        return expanded;
    }

    private void refuseAdmission(String refusedBy) {
        client.fail(PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, "pgmux: no more connections allowed ("
                + refusedBy + ")").withHint("Close idle connections or raise the limit in the pgmux configuration."));
    }
}
