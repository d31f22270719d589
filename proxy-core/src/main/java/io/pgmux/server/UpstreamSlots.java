package io.pgmux.server;

/**
 * The connection slots of a PostgreSQL server, as it reports them.
 *
 * @param maxConnections     {@code max_connections}
 * @param superuserReserved  {@code superuser_reserved_connections}
 * @param reserved           {@code reserved_connections} (PostgreSQL 16+; 0 before)
 * @param othersConnectedNow client backends connected when asked, not counting the one asking
 */
public record UpstreamSlots(int maxConnections, int superuserReserved, int reserved, int othersConnectedNow) {
    /** Slots an ordinary role can take: the rest are kept for superusers and pg_use_reserved_connections. */
    public int forOrdinaryRoles() {
        return Math.max(0, maxConnections - superuserReserved - reserved);
    }
}
