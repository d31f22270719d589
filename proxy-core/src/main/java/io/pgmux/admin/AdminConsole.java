package io.pgmux.admin;

import io.pgmux.admin.spi.AdminControl;
import io.pgmux.admin.spi.AdminView;
import java.util.Objects;

/**
 * The console of one running pgmux, shared by all its console sessions.
 *
 * @param release pgmux's version, e.g. "0.1.0": SHOW VERSION and the server_version a session reports
 */
public record AdminConsole(AdminView view, AdminControl control, String release) {
    /** The PgBouncer release whose console columns pgmux follows. */
    public static final String PGBOUNCER_COMPATIBLE = "1.25.2";

    public AdminConsole {
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(release, "release");
    }

    /** The text of SHOW VERSION. */
    public String versionText() {
        return "pgmux " + release + " (PgBouncer " + PGBOUNCER_COMPATIBLE + " compatible console)";
    }
}
