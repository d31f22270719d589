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
 * method and the stored password's form call for ({@link PasswordChallenge}). SCRAM secrets are derived (from
 * plaintext passwords) or parsed (from verifiers) once at start, so no login pays for a key derivation on an
 * event loop.
 *
 * <p>Every login gets the same exchange, whether or not its user exists or has a password: those that do not are
 * checked against {@link MockCredentials} and fail at the end, with the error a wrong password gets, as in
 * PostgreSQL. The response to a login therefore tells nobody which users exist.
 */
final class ClientAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(ClientAuthenticator.class);

    private final PgmuxConfig config;
    private final Map<String, StoredPassword> stored = new HashMap<>();
    private final Map<String, ScramSecret> scramSecrets = new HashMap<>();
    private final MockCredentials mock = new MockCredentials();
    private final ScramKeys scramKeys;

    ClientAuthenticator(PgmuxConfig config, ScramKeys scramKeys) {
        this(config, scramKeys, Map.of(), Map.of());
    }

    /**
     * @param keptStored the passwords of the authenticator this one replaces (a reload), by user
     * @param keptSecrets that authenticator's SCRAM secrets: a user whose plaintext password is unchanged keeps its
     *     secret, so a reload derives (a PBKDF2 run of a few milliseconds each) only for passwords that changed
     */
    private ClientAuthenticator(PgmuxConfig config, ScramKeys scramKeys, Map<String, StoredPassword> keptStored,
                                Map<String, ScramSecret> keptSecrets) {
        this.config = config;
        this.scramKeys = scramKeys;
        for (UserConfig each : config.users().values()) {
            each.password().filter(p -> !p.isEmpty()).ifPresent(p -> {
                StoredPassword password = StoredPassword.parse(p);
                stored.put(each.name(), password);
                if (password instanceof StoredPassword.ScramSha256) {
                    scramSecrets.put(each.name(), ScramSecret.fromVerifier((StoredPassword.ScramSha256) password));
                } else if (password instanceof StoredPassword.Plaintext) {
                    boolean unchanged = password.equals(keptStored.get(each.name()))
                            && keptSecrets.containsKey(each.name());
                    scramSecrets.put(each.name(), unchanged ? keptSecrets.get(each.name()) : ScramSecret.fromPassword(p));
                }
            });
        }
    }

    /**
     * The authenticator for a reloaded configuration: the SCRAM secrets of plaintext passwords that did not change
     * are kept, the rest derived. Derives on the caller's thread: call it off the event loops.
     */
    ClientAuthenticator reloaded(PgmuxConfig next) {
        return new ClientAuthenticator(next, scramKeys, stored, scramSecrets);
    }

    /** The SCRAM secret a client of {@code user} is checked against; empty when the user has no usable password. */
    Optional<ScramSecret> scramSecret(String user) {
        return Optional.ofNullable(scramSecrets.get(user));
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
            return PasswordExchange.scram(user, foundSecret.orElseGet(() -> scramSecrets.get(user)), password.get(),
                    scramKeys);
        }
        return PasswordExchange.of(challenge, user, password.get());
    }
}
