package io.pgmux.client;

import io.pgmux.access.AccessDecision;
import io.pgmux.auth.MockCredentials;
import io.pgmux.auth.PasswordChallenge;
import io.pgmux.auth.ScramKeys;
import io.pgmux.auth.ScramSecret;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.StoredPassword;
import io.pgmux.config.UserConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the passwords of pgmux's clients against the configured users, with the exchange the access decision's
 * method and the stored password's form call for ({@link PasswordChallenge}). SCRAM secrets are parsed from verifiers
 * at start; those of plaintext passwords are derived once ({@link DerivedSecret}), off the event loops: by a pass
 * once pgmux listens ({@link #deriveAll}), or by a login that comes first and needs one ({@link #derivesFirst}), which
 * then waits for it on a login-work thread. So no login pays for a key derivation on an event loop, and a
 * configuration with many users does not hold back the listener. Until that pass is through, the first SCRAM login of
 * a configured user with a plaintext password takes a derivation longer than a login of an unknown user would.
 *
 * <p>Every login gets the same exchange, whether or not its user exists or has a password: those that do not are
 * checked against {@link MockCredentials} and fail at the end, with the error a wrong password gets, as in
 * PostgreSQL. The response to a login therefore tells nobody which users exist.
 */
final class ClientAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(ClientAuthenticator.class);

    private final PgmuxConfig config;
    private final Map<String, StoredPassword> stored = new HashMap<>();
    /** The secrets of users whose password is a SCRAM verifier. */
    private final Map<String, ScramSecret> verifierSecrets = new HashMap<>();
    /** The secrets of users whose password is plaintext, derived on first need. */
    private final Map<String, DerivedSecret> derivedSecrets = new HashMap<>();
    private final MockCredentials mock = new MockCredentials();
    private final ScramKeys scramKeys;

    ClientAuthenticator(PgmuxConfig config, ScramKeys scramKeys) {
        this(config, scramKeys, Map.of());
    }

    /**
     * @param kept the derived secrets of the authenticator this one replaces (a reload), by user: a user whose
     *     plaintext password is unchanged keeps its secret, derived or not, so a reload derives only for passwords
     *     that changed
     */
    private ClientAuthenticator(PgmuxConfig config, ScramKeys scramKeys, Map<String, DerivedSecret> kept) {
        this.config = config;
        this.scramKeys = scramKeys;
        for (UserConfig each : config.users().values()) {
            each.password().filter(p -> !p.isEmpty()).ifPresent(p -> {
                StoredPassword password = StoredPassword.parse(p);
                stored.put(each.name(), password);
                if (password instanceof StoredPassword.ScramSha256) {
                    verifierSecrets.put(each.name(), ScramSecret.fromVerifier((StoredPassword.ScramSha256) password));
                } else if (password instanceof StoredPassword.Plaintext) {
                    DerivedSecret keptSecret = kept.get(each.name());
                    derivedSecrets.put(each.name(), keptSecret != null && keptSecret.isFor(password) ? keptSecret
                            : new DerivedSecret((StoredPassword.Plaintext) password));
                }
            });
        }
    }

    /** The authenticator for a reloaded configuration: secrets of unchanged plaintext passwords are kept. */
    ClientAuthenticator reloaded(PgmuxConfig next) {
        return new ClientAuthenticator(next, scramKeys, derivedSecrets);
    }

    /**
     * Derives every plaintext password's secret not derived yet, one after another, on the calling thread: a
     * {@link LoginWork} thread once pgmux listens, or after a reload.
     */
    void deriveAll() {
        derivedSecrets.values().forEach(DerivedSecret::get);
    }

    /**
     * Whether the exchange {@link #begin(String, AccessDecision)} makes for {@code user} needs a secret not derived
     * yet: then it must be made off the event loop.
     */
    boolean derivesFirst(String user, AccessDecision decision) {
        DerivedSecret secret = derivedSecrets.get(user);
        return secret != null && !secret.isDerived() && decision instanceof AccessDecision.Challenge
                && PasswordChallenge.choose(((AccessDecision.Challenge) decision).method(),
                        Optional.of(StoredPassword.Kind.PLAINTEXT)) == PasswordChallenge.SCRAM_SHA_256;
    }

    /**
     * The SCRAM secret a client of {@code user} is checked against; empty when the user has no usable password.
     * May derive it: call it off the event loop.
     */
    Optional<ScramSecret> scramSecret(String user) {
        DerivedSecret derived = derivedSecrets.get(user);
        return derived != null ? Optional.of(derived.get()) : Optional.ofNullable(verifierSecrets.get(user));
    }

    /**
     * The exchange for a client that named {@code user} in its StartupMessage, known or not, once the access
     * policy let it try: none for {@link AccessDecision.Proceed}, else the challenge for its method.
     */
    PasswordExchange begin(String user, AccessDecision decision) {
        if (decision instanceof AccessDecision.Proceed) {
            return PasswordExchange.none(user);
        }
        if (!(decision instanceof AccessDecision.Challenge)) {
            throw new IllegalArgumentException("no exchange for " + decision);
        }
        return begin(user, decision, Optional.ofNullable(stored.get(user)), Optional.empty());
    }

    /**
     * The exchange for a user that is not configured, against the password auth_query found for it (empty: no such
     * user, which gets the exchange of any unknown user). May derive a SCRAM secret (a plaintext password from a
     * custom query costs a PBKDF2 run): call it off the event loop.
     */
    PasswordExchange beginFound(String user, AccessDecision.Challenge decision, Optional<StoredPassword> found) {
        Optional<ScramSecret> secret = found.map(p -> p instanceof StoredPassword.ScramSha256
                ? ScramSecret.fromVerifier((StoredPassword.ScramSha256) p)
                : p instanceof StoredPassword.Plaintext ? ScramSecret.fromPassword(((StoredPassword.Plaintext) p)
                        .password()) : null);
        return begin(user, decision, found, secret);
    }

    private PasswordExchange begin(String user, AccessDecision decision, Optional<StoredPassword> password,
                                   Optional<ScramSecret> foundSecret) {
        Optional<StoredPassword.Kind> kind = password.map(StoredPassword::kind);
        // An unknown user gets the challenge of the commonest stored form, a plaintext password: under md5 a
        // different exchange for unknown users would tell who exists (PostgreSQL itself answers them with SCRAM).
        PasswordChallenge challenge = PasswordChallenge.choose(((AccessDecision.Challenge) decision).method(),
                kind.or(() -> Optional.of(StoredPassword.Kind.PLAINTEXT)));
        Optional<String> doomedBecause = challenge.whyItCannotSucceed(user, kind);
        doomedBecause.ifPresent(why -> log.debug("login of {} cannot succeed: {}", user, why));
        if (doomedBecause.isPresent()) {
            // Only what this exchange checks against: deriving costs a few HMACs, no more than a real login's work.
            return challenge == PasswordChallenge.SCRAM_SHA_256
                    ? PasswordExchange.doomedScram(user, mock.scramSecret(user))
                    : PasswordExchange.doomed(challenge, user, new StoredPassword.Plaintext(mock.password(user)));
        }
        if (challenge == PasswordChallenge.SCRAM_SHA_256) {
            return PasswordExchange.scram(user, foundSecret.or(() -> scramSecret(user)).orElseThrow(), password.get(),
                    scramKeys);
        }
        return PasswordExchange.of(challenge, user, password.get());
    }
}
