package io.pgmux.auth;

import io.pgmux.config.StoredPassword;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ClientKeys of SCRAM passthrough, recovered from clients' verified proofs and kept in memory only, by the
 * verifier they belong to: a server login whose only credential is that verifier uses the key
 * ({@link ScramSha256Client#withClientKey}). A user's key is known once one of its clients has logged in with
 * SCRAM; it stays valid as long as the verifier does (a changed verifier is another map key).
 */
public final class ScramKeys {
    private final Map<String, ScramClientKey> byVerifier = new ConcurrentHashMap<>();

    /** Remembers the key a client proved for {@code verifier}. */
    public void remember(StoredPassword.ScramSha256 verifier, ScramClientKey key) {
        byVerifier.put(verifier.text(), Objects.requireNonNull(key, "key"));
    }

    /** The key for {@code verifier}; empty until a client of it has logged in with SCRAM. */
    public Optional<ScramClientKey> find(StoredPassword.ScramSha256 verifier) {
        return Optional.ofNullable(byVerifier.get(verifier.text()));
    }
}
