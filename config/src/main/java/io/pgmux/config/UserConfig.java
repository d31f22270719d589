package io.pgmux.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A client login pgmux knows about.
 *
 * @param password the password clients must present; empty when authentication does not need one here
 * @param tenant   the tenant whose budget this user's connections count against; when empty the top-level
 *                 {@code default_tenant} applies
 * @param poolMode overrides both the database's and the global pool mode
 * @param pinning  overrides both the database's and the global pinning policy
 */
public record UserConfig(String name, Optional<String> password, Optional<String> tenant,
                         Optional<PoolMode> poolMode, Optional<PinningPolicy> pinning) {
    public UserConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(poolMode, "poolMode");
        Objects.requireNonNull(pinning, "pinning");
    }
}
