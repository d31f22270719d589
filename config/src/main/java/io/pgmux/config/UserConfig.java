package io.pgmux.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A client login pgmux knows about.
 *
 * @param password       what the client must prove it knows, in any {@link StoredPassword} form (plaintext, md5
 *                       hash, SCRAM-SHA-256 verifier); checked when the file is loaded; empty when authentication
 *                       does not need one here
 * @param tenant         the tenant whose budget this user's connections count against; when empty the top-level
 *                       {@code default_tenant} applies
 * @param poolMode       overrides both the database's and the global pool mode
 * @param pinning        overrides both the database's and the global pinning policy
 * @param authType       overrides both the database's and the global {@code auth_type}
 * @param serverUser     log in to the server as this role instead of the client's own name
 * @param serverPassword the password for the server login (plaintext, or an md5 hash for a server using md5);
 *                       when empty the server login uses {@code password}
 */
public record UserConfig(String name, Optional<String> password, Optional<String> tenant,
                         Optional<PoolMode> poolMode, Optional<PinningPolicy> pinning, Optional<AuthType> authType,
                         Optional<String> serverUser, Optional<String> serverPassword) {
    public UserConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(poolMode, "poolMode");
        Objects.requireNonNull(pinning, "pinning");
        Objects.requireNonNull(authType, "authType");
        Objects.requireNonNull(serverUser, "serverUser");
        Objects.requireNonNull(serverPassword, "serverPassword");
    }

    /** {@link #password()} by its form. A loaded configuration has only well-formed passwords. */
    public Optional<StoredPassword> storedPassword() {
        return password.map(StoredPassword::parse);
    }
}
