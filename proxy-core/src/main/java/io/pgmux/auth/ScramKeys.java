package io.pgmux.auth;

import io.pgmux.config.StoredPassword;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What pgmux learns about credentials while it runs, kept in memory only, for the logins of server connections:
 *
 * <ul>
 *   <li>The ClientKeys of SCRAM passthrough, recovered from clients' verified proofs, by the verifier they belong
 *       to: a server login whose only credential is that verifier uses the key
 *       ({@link ScramSha256Client#withClientKey}). A user's key is known once one of its clients has logged in
 *       with SCRAM; it stays valid as long as the verifier does (a changed verifier is another map key).
 *   <li>The stored passwords auth_query found for users not in the configuration, by upstream address and role,
 *       as of the last client of that role that logged in with one: what its pool's servers log in with.
 * </ul>
 */
public final class ScramKeys {
    private final Map<String, ScramClientKey> byVerifier = new ConcurrentHashMap<>();
    private final Map<String, StoredPassword> found = new ConcurrentHashMap<>();

    /**
     * Remembers the password auth_query found for {@code role} on the server at {@code address} (host:port), once
     * a client has authenticated against it.
     */
    public void rememberFound(String address, String role, StoredPassword password) {
        found.put(address + "\0" + role, Objects.requireNonNull(password, "password"));
    }

    /** The password auth_query found for {@code role} at {@code address}; empty until a client logged in with it. */
    public Optional<StoredPassword> found(String address, String role) {
        return Optional.ofNullable(found.get(address + "\0" + role));
    }

    /** Remembers the key a client proved for {@code verifier}. */
    public void remember(StoredPassword.ScramSha256 verifier, ScramClientKey key) {
        byVerifier.put(verifier.text(), Objects.requireNonNull(key, "key"));
    }

    /** The key for {@code verifier}; empty until a client of it has logged in with SCRAM. */
    public Optional<ScramClientKey> find(StoredPassword.ScramSha256 verifier) {
        return Optional.ofNullable(byVerifier.get(verifier.text()));
    }
}
