package io.pgmux.config;

import java.util.List;

/**
 * Who may connect to the admin console, the virtual database {@value #DATABASE} (PgBouncer's {@code admin_users}
 * and {@code stats_users}). Each name must also be in {@code users}: console logins authenticate like every client.
 *
 * @param users      may run every console command
 * @param statsUsers may only read: {@code SHOW} commands, and {@code SET} of the session parameters drivers send
 */
public record AdminConfig(List<String> users, List<String> statsUsers) {
    /** The database name that reaches the admin console instead of a server database. */
    public static final String DATABASE = "pgmux";

    public AdminConfig {
        users = List.copyOf(users);
        statsUsers = List.copyOf(statsUsers);
    }

    /** Admin users only, no stats users. */
    public AdminConfig(List<String> users) {
        this(users, List.of());
    }

    public static AdminConfig defaults() {
        return new AdminConfig(List.of(), List.of());
    }

    /** Whether {@code user} may change anything through the console. */
    public boolean isAdmin(String user) {
        return users.contains(user);
    }

    /** Whether {@code user} may read through the console: an admin or a stats user. */
    public boolean mayRead(String user) {
        return isAdmin(user) || statsUsers.contains(user);
    }
}
