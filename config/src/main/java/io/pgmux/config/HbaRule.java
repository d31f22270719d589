package io.pgmux.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One access rule: which connections it covers and the method they must authenticate with. The first rule that
 * covers a connection decides (PostgreSQL documentation, "The pg_hba.conf File").
 *
 * @param line      where the rule was written (in the YAML file or in {@code hba_file}), for logs
 * @param databases matched against the database name the client asked for (pgmux's name, not the server's
 *                  {@code dbname})
 */
public record HbaRule(int line, HbaConnectionType type, HbaNames databases, HbaNames users, HbaAddress address,
                      AuthType method) {
    public HbaRule {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(databases, "databases");
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(method, "method");
    }

    public boolean matches(ConnectionEncryption encryption, String database, String user, InetAddress client) {
        return type.matches(encryption) && databases.matches(database, user) && users.matches(user, user)
                && address.matches(client);
    }
}
