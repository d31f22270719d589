package io.pgmux.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The role and password a server connection logs in with, for one client's user on one database; see
 * {@link PgmuxConfig#upstreamLoginFor}.
 *
 * @param user     the role name sent in the StartupMessage
 * @param password plaintext, an md5 hash (only a server using md5 accepts it), or the client's own SCRAM verifier,
 *                 which logs in only by SCRAM passthrough; empty when none is configured (the server must then
 *                 trust pgmux). An empty string is an empty password, as configured for a database's user
 */
public record UpstreamLogin(String user, Optional<String> password) {
    public UpstreamLogin {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /**
     * Whether the only credential is a SCRAM verifier, so the login needs the ClientKey recovered from the
     * client's own SCRAM proof (and cannot happen for a client that has not logged in with SCRAM).
     */
    public boolean needsScramPassthrough() {
        return password.filter(p -> !p.isEmpty())
                .map(p -> StoredPassword.parse(p).kind() == StoredPassword.Kind.SCRAM_SHA_256)
                .orElse(false);
    }
}
