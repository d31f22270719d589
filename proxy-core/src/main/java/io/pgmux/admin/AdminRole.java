package io.pgmux.admin;

import io.pgmux.config.AdminConfig;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.Optional;

/**
 * What a console login may do: everything ({@code admin.users}, PgBouncer's admin_users) or only read
 * ({@code admin.stats_users}, PgBouncer's stats_users).
 */
public enum AdminRole {
    ADMIN,
    STATS;

    /** The role of {@code user} on the console; empty when the user may not use it (admin wins over stats). */
    public static Optional<AdminRole> of(AdminConfig config, String user) {
        if (config.isAdmin(user)) {
            return Optional.of(ADMIN);
        }
        return config.mayRead(user) ? Optional.of(STATS) : Optional.empty();
    }

    /** Whether {@code database} is the console's virtual database rather than a server database. */
    public static boolean isConsoleDatabase(String database) {
        return AdminConfig.DATABASE.equals(database);
    }

    /** The FATAL a login to the console gets when its user has no role there (PgBouncer: "not allowed"). */
    public static PgError notAllowed(String user) {
        return PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "pgmux: user \"" + user
                        + "\" is not allowed to use the admin console")
                .withHint("List the user in admin.users (every command) or admin.stats_users (SHOW only).");
    }

    public boolean mayChange() {
        return this == ADMIN;
    }
}
