package io.pgmux.auth;

import io.pgmux.config.AuthType;
import io.pgmux.config.StoredPassword;
import java.util.Optional;

/**
 * Which password exchange a client is sent, chosen as PostgreSQL chooses it ({@code CheckPWChallengeAuth} in
 * its auth.c): from the method and the form of the password pgmux holds for the user.
 *
 * <ul>
 *   <li>{@code password}: the cleartext request, whatever is stored;
 *   <li>{@code md5}: the md5 challenge, unless the stored password is a SCRAM verifier (which cannot answer it),
 *       then SCRAM; for a user with no password (unknown, or none configured) SCRAM as well, the exchange
 *       PostgreSQL runs for such users under its default {@code password_encryption};
 *   <li>{@code scram-sha-256}: SCRAM always. A user whose password is an md5 hash, or who has none, still gets
 *       the whole exchange and then {@code password authentication failed}, so the answer does not reveal which
 *       users exist or how their passwords are stored.
 * </ul>
 */
public enum PasswordChallenge {
    /** AuthenticationCleartextPassword. */
    CLEARTEXT,
    /** AuthenticationMD5Password. */
    MD5,
    /** AuthenticationSASL with SCRAM-SHA-256. */
    SCRAM_SHA_256;

    /**
     * @param method a method that uses a password
     * @param stored the form of the user's password; empty for an unknown user or one without a password
     * @throws IllegalArgumentException for trust, reject and cert, which send no password request
     */
    public static PasswordChallenge choose(AuthType method, Optional<StoredPassword.Kind> stored) {
        switch (method) {
            case PASSWORD:
                return CLEARTEXT;
            case MD5:
                return stored.filter(kind -> kind != StoredPassword.Kind.SCRAM_SHA_256).isPresent()
                        ? MD5 : SCRAM_SHA_256;
            case SCRAM_SHA_256:
                return SCRAM_SHA_256;
            default:
                throw new IllegalArgumentException("auth_type " + method.configName() + " sends no password request");
        }
    }

    /**
     * Why this exchange cannot succeed against {@code stored}, for the operator's log (the client gets only
     * {@code password authentication failed}); empty when it can. The wording follows PostgreSQL's log detail.
     */
    public Optional<String> whyItCannotSucceed(String user, Optional<StoredPassword.Kind> stored) {
        if (stored.isEmpty()) {
            return Optional.of("Role \"" + user + "\" does not exist or has no password.");
        }
        StoredPassword.Kind kind = stored.get();
        if (this == SCRAM_SHA_256 && kind == StoredPassword.Kind.MD5) {
            return Optional.of("User \"" + user + "\" does not have a valid SCRAM secret.");
        }
        if (this == MD5 && kind == StoredPassword.Kind.SCRAM_SHA_256) {
            throw new IllegalStateException("the md5 challenge is never chosen for a SCRAM verifier");
        }
        return Optional.empty();
    }
}
