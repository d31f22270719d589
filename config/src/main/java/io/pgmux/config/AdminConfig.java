package io.pgmux.config;

import java.util.List;

/** Who may connect to the {@code pgmux} admin console database; each name must also be in {@code users}. */
public record AdminConfig(List<String> users) {
    public AdminConfig {
        users = List.copyOf(users);
    }

    public static AdminConfig defaults() {
        return new AdminConfig(List.of());
    }
}
