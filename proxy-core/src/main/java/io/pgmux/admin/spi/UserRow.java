package io.pgmux.admin.spi;

import java.util.Objects;

/**
 * One configured user: a row of SHOW USERS (PgBouncer's columns).
 *
 * @param poolSize                 the user's own pool size; null when it has none (PgBouncer shows "")
 * @param reservePoolSize          the user's own reserve; null when it has none
 * @param poolMode                 the user's own pool_mode; null when it inherits
 * @param maxUserConnections       cap on the user's server connections; 0 for none
 * @param currentConnections       the user's server connections now
 * @param maxUserClientConnections cap on the user's clients; 0 for none
 * @param currentClientConnections the user's clients now
 * @param tenant                   the tenant whose budget the user draws on; null for none
 */
public record UserRow(String name, Integer poolSize, Integer reservePoolSize, String poolMode,
                      int maxUserConnections, int currentConnections, int maxUserClientConnections,
                      int currentClientConnections, String tenant) {
    public UserRow {
        Objects.requireNonNull(name, "name");
    }
}
