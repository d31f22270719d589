package io.pgmux.admin.spi;

import io.pgmux.protocol.PgError;
import java.util.Objects;

/**
 * A console command could not be done; the console sends {@link #error()} to its user as an ERROR and stays
 * usable. Thrown by {@link AdminControl} (e.g. 3D000 for a database that is not configured, 55000 for PAUSE when
 * already paused, F0000 when RELOAD finds the file invalid) and by the console's own parser.
 */
public final class AdminException extends RuntimeException {
    private final transient PgError error;

    public AdminException(PgError error) {
        super(Objects.requireNonNull(error, "error").message(), null, false, false);
        this.error = error;
    }

    public AdminException(String sqlState, String message) {
        this(PgError.error(sqlState, message));
    }

    public PgError error() {
        return error;
    }
}
