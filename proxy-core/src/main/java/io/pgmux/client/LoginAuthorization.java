package io.pgmux.client;

import io.netty.channel.Channel;
import io.pgmux.access.AccessDecision;
import io.pgmux.access.AccessPolicy;
import io.pgmux.access.LoginAttempt;
import io.pgmux.config.ConnectionEncryption;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.tls.TlsSessionInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login's first decision, once the StartupMessage has arrived: what the connection is (TLS or not, the client's
 * address, its certificate) and what the access policy says about it (refuse, let in, or ask for a password), plus
 * the password exchange that follows. Called from the login path; it sends nothing itself.
 */
final class LoginAuthorization {
    private static final Logger log = LoggerFactory.getLogger(LoginAuthorization.class);

    private final PgmuxConfig config;
    private final AccessPolicy policy;
    private final ClientAuthenticator authenticator;

    LoginAuthorization(PgmuxConfig config, ClientAuthenticator authenticator) {
        this.config = config;
        this.policy = new AccessPolicy(config);
        this.authenticator = authenticator;
    }

    /** What the login of {@code user} to {@code database} on {@code channel} goes on with. */
    sealed interface Outcome permits Refused, Exchange, LookUp, Derive {
    }

    /**
     * The user is not configured and auth_query applies: find its password ({@code lookup}), then run the
     * exchange {@link ClientAuthenticator#beginFound} makes for it; with no exchange ({@code trust}, {@code cert}),
     * the lookup still says whether the role exists and what its servers log in with.
     *
     * @param decision a {@link AccessDecision.Challenge} or an {@link AccessDecision.Proceed}
     */
    record LookUp(AccessDecision decision, io.pgmux.config.AuthQueryConfig lookup) implements Outcome {
    }

    /** Send the error (FATAL) and close; no server connection was opened. */
    record Refused(io.pgmux.protocol.PgError error) implements Outcome {
    }

    /** Run the exchange; one that needs no password lets the client in at once. */
    record Exchange(PasswordExchange exchange) implements Outcome {
    }

    /**
     * The user's exchange needs the SCRAM secret of its plaintext password, not derived yet: make the exchange
     * ({@link #exchangeFor(String, Derive)}) off the event loop.
     */
    record Derive(AccessDecision decision) implements Outcome {
    }

    Outcome decide(Channel channel, String database, String user) {
        LoginAttempt attempt = attempt(channel, database, user);
        AccessDecision decision = policy.decide(attempt);
        if (decision instanceof AccessDecision.Refuse) {
            log.info("login of user {} to database {} from {} refused: {}", user, database,
                    attempt.address().getHostAddress(), decision.reason());
            return new Refused(((AccessDecision.Refuse) decision).error());
        }
        log.debug("login of user {} to database {}: {}", user, database, decision.reason());
        if (config.user(user).isEmpty()) {
            Optional<io.pgmux.config.AuthQueryConfig> lookup = config.authQueryFor(database);
            if (lookup.isPresent()) {
                return new LookUp(decision, lookup.get());
            }
        }
        if (authenticator.derivesFirst(user, decision)) {
            return new Derive(decision);
        }
        return new Exchange(authenticator.begin(user, decision));
    }

    /** The exchange for a user whose secret is derived first ({@link Derive}): off the event loop. */
    PasswordExchange exchangeFor(String user, Derive derive) {
        return authenticator.begin(user, derive.decision());
    }

    /** The exchange for a user auth_query looked up ({@link LookUp}); may derive a key: off the event loop. */
    PasswordExchange exchangeFor(String user, LookUp lookUp, Optional<io.pgmux.config.StoredPassword> found) {
        if (lookUp.decision() instanceof AccessDecision.Challenge) {
            return authenticator.beginFound(user, (AccessDecision.Challenge) lookUp.decision(), found);
        }
        return authenticator.begin(user, lookUp.decision());
    }

    /** The configuration these decisions are made under. */
    PgmuxConfig config() {
        return config;
    }

    private static LoginAttempt attempt(Channel channel, String database, String user) {
        boolean tls = TlsSessionInfo.isEncrypted(channel);
        return new LoginAttempt(tls ? ConnectionEncryption.TLS : ConnectionEncryption.NONE,
                address(channel.remoteAddress()), database, user,
                tls ? TlsSessionInfo.peerCertificate(channel) : Optional.empty());
    }

    private static InetAddress address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress && ((InetSocketAddress) remote).getAddress() != null) {
            return ((InetSocketAddress) remote).getAddress();
        }
        // In-memory channels in tests have no IP address: count them as local.
        return InetAddress.getLoopbackAddress();
    }
}
