package io.pgmux.pool;

import io.pgmux.protocol.PgError;

/**
 * The NOTICE a client gets once it has waited query_wait_notify for a server and still waits: how long, for which
 * pool, and why, in the words of its {@link WaitReason}. A NoticeResponse with SQLSTATE 00000, as PostgreSQL sends
 * its own notices of progress; the client carries on waiting.
 */
public final class WaitNotice {
    private WaitNotice() {
    }

    /**
     * @param waitedMillis     how long the client has waited, in milliseconds
     * @param lastConnectError the pool's last failed login, which {@link WaitReason#REFUSED} requires and
     *                         {@link WaitReason#UNREACHABLE} names when there is one; null when none failed since
     *                         the last success
     */
    static PgError of(ServerPool pool, long waitedMillis, WaitReason reason, PgError lastConnectError) {
        String address = pool.target().address();
        String why = switch (reason) {
            case PAUSED -> "pgmux is paused (the console's PAUSE); the query starts after RESUME";
            case UNREACHABLE -> "pgmux cannot reach the database at " + address
                    + (lastConnectError == null ? "" : " (" + lastConnectError.message() + ")")
                    + " and keeps retrying";
            case REFUSED -> "the database at " + address + " answers but refuses pgmux's connections ("
                    + lastConnectError.sqlState() + " " + lastConnectError.message() + "); pgmux keeps retrying";
            case CONNECTING -> "pgmux is connecting to the database at " + address + ", which has not answered yet";
            case NO_LEASE -> "this instance holds no fleet lease of its budget";
            case BUSY -> "all of its connections are busy";
        };
        return new PgError(PgError.NOTICE, "00000", "pgmux: waiting for a server connection of "
                + pool.key() + " for " + waitedMillis + " ms; " + why, null, null);
    }
}
