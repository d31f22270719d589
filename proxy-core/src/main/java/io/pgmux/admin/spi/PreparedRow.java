package io.pgmux.admin.spi;

import java.util.Objects;

/**
 * One statement pgmux prepares on servers in transaction mode: a row of SHOW PREPARED.
 *
 * @param name      pgmux's name for it on the servers (shared by every client preparing the same text)
 * @param statement its text, cut to a readable length
 * @param servers   server connections it is prepared on now
 * @param clients   clients that hold it under a name of their own
 */
public record PreparedRow(String database, String user, String name, String statement, int servers,
                          int clients) {
    public PreparedRow {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(statement, "statement");
    }
}
