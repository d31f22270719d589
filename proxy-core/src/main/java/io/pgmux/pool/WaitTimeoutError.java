package io.pgmux.pool;

import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;

/**
 * The FATAL a client gets when it has waited query_wait_timeout for a server: which pool, how long, and why, in
 * the words of its {@link WaitReason} (the NOTICE it got on the way is {@link WaitNotice}'s). Built after the pool's
 * lock is let go, from what was seen under it ({@link Work.WaitTimeout}).
 */
final class WaitTimeoutError {
    private WaitTimeoutError() {
    }

    static PgError of(Work.WaitTimeout facts) {
        ServerPool pool = facts.pool();
        String waited = "pgmux: timed out after " + facts.waitedMillis() + " ms waiting for a server connection of "
                + pool.key();
        String budget = facts.full() != null ? facts.full().describe(facts.fullUsed()) : "pool " + pool.key();
        // A switch expression: the compiler checks that every reason has its message.
        return switch (facts.reason()) {
            // Class 57, operator intervention: the database is held on purpose and comes back on RESUME, as
            // 57P03 tells drivers and pools to try again later (PostgreSQL's "not accepting connections");
            // 53300 would send the operator to the budgets, which are not the cause.
            case PAUSED -> PgError.fatal(SqlState.CANNOT_CONNECT_NOW, waited + ": database "
                    + pool.key().database() + " is paused on pgmux's admin console")
                    .withDetail("PAUSE or KILL on the admin console holds every query of the database until"
                            + " RESUME.")
                    .withHint("Run RESUME on pgmux's admin console to let queries start again.");
            case UNREACHABLE -> {
                PgError cause = facts.lastConnectError();
                yield PgError.fatal(SqlState.CANNOT_CONNECT_NOW, "pgmux could not reach the database for "
                        + pool.key() + " within " + facts.waitedMillis() + " ms: " + (cause != null
                        ? cause.message() : "connections to " + pool.target().address() + " are failing"))
                        .withHint("Check that the database at " + pool.target().address()
                                + " is running and accepts connections; pgmux keeps retrying.");
            }
            // The database answers and refuses (out of slots, starting up): its own SQLSTATE and words say why.
            case REFUSED -> {
                PgError cause = facts.lastConnectError();
                yield PgError.fatal(SqlState.CANNOT_CONNECT_NOW, "pgmux could not get a server connection for "
                        + pool.key() + " within " + facts.waitedMillis() + " ms: the database at "
                        + pool.target().address() + " refused pgmux's login with " + cause.sqlState() + " "
                        + cause.message())
                        .withHint("The database answers but refuses: free connection slots there (its"
                                + " max_connections, its other clients) or let it finish starting; pgmux keeps"
                                + " retrying.");
            }
            case CONNECTING -> PgError.fatal(SqlState.CANNOT_CONNECT_NOW, "pgmux could not get a server"
                    + " connection for " + pool.key() + " within " + facts.waitedMillis() + " ms: the database at "
                    + pool.target().address() + " has not answered pgmux's login yet")
                    .withHint("Check that the database at " + pool.target().address() + " is responsive;"
                            + " server_connect_timeout ends a login it does not answer, and pgmux retries.");
            // Nothing was busy: the fleet gave this instance no lease (its control connection may be down).
            case NO_LEASE -> PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, waited + ": this instance holds no"
                    + " fleet lease of " + budget)
                    .withHint("Check the fleet's control connection to " + pool.target().address()
                            + " (SHOW FLEET, the log, /health/ready): leases are advisory locks taken there,"
                            + " and other instances may hold all of them.");
            case BUSY -> PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, waited + "; all connections allowed by "
                    + budget + " are busy")
                    .withHint("Raise the budget in pgmux.yaml, shorten transactions, or raise query_wait_timeout.");
        };
    }
}
