package io.pgmux.admin.spi;

/**
 * The sizes SHOW LISTS reports that pgmux has. PgBouncer's other rows (peer pools, its allocator's free lists,
 * its DNS cache) have no counterpart in pgmux and are 0.
 *
 * @param peers        entries of {@code peers} (SHOW PEERS' rows)
 * @param usedClients  client connections, logged in or logging in
 * @param loginClients client connections still logging in
 * @param usedServers  server connections, in any state
 */
public record ListCounts(int databases, int users, int peers, int pools, int usedClients, int loginClients,
                         int usedServers) {
}
