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

    /** What keys derived from a password are kept under: the password and the server's salt and iterations. */
    private record Derivation(String password, String salt, int iterations) {
        @Override
        public String toString() {
            return "Derivation[hidden]";
        }
    }

    private final Map<Derivation, byte[][]> derived = new ConcurrentHashMap<>();

    /**
     * The ClientKey and ServerKey of {@code password} for a server's salt and iteration count: derived by
     * {@code derive} the first time (a PBKDF2 run), then kept, so later server logins of the role derive nothing.
     * They are worth what the password is worth, and live only in memory like it.
     */
    byte[][] derivedKeys(String password, byte[] salt, int iterations, java.util.function.Supplier<byte[][]> derive) {
        Derivation key = new Derivation(password, java.util.Base64.getEncoder().encodeToString(salt), iterations);
        byte[][] keys = derived.get(key);
        if (keys == null) {
            // Derived outside the map's lock: two first logins may both derive, but no other login waits on one.
            byte[][] fresh = derive.get();
            keys = derived.putIfAbsent(key, fresh);
            if (keys == null) {
                keys = fresh;
            }
        }
        return keys;
    }

    /** Whether {@link #derivedKeys} would find the keys of {@code password} for this salt and count kept. */
    boolean hasDerivedKeys(String password, byte[] salt, int iterations) {
        return derived.containsKey(
                new Derivation(password, java.util.Base64.getEncoder().encodeToString(salt), iterations));
    }

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
