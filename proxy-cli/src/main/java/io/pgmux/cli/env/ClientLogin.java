package io.pgmux.cli.env;

import java.util.Objects;
import java.util.Optional;

/**
 * A user clients log in to pgmux as: one entry of pgmux's {@code users}.
 *
 * @param password the password, or a SCRAM secret ({@code SCRAM-SHA-256$...}) as PostgreSQL stores it; empty for
 *                 {@code auth_type: trust}
 */
public record ClientLogin(String name, Optional<String> password) {
    public ClientLogin {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return name + (password.isPresent() ? ":***" : "");
    }
}
