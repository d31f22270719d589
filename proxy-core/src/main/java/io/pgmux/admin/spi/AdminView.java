package io.pgmux.admin.spi;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the admin console shows. Called on the console session's event loop: every method must answer from
 * memory without blocking (no I/O; a short lock is fine) and return rows that no longer change. Lists are in
 * the order the console shows them: pools by database then user, databases and users in the configuration's
 * order. Connections live on every event loop, so their lists come as stages, completed on any thread once each
 * loop has given its part; a stage that fails is the error the console answers.
 */
public interface AdminView {
    List<PoolRow> pools();

    /** Logged-in client connections of every pool and of the console. */
    CompletionStage<List<ConnectionRow>> clients();

    /** Open server connections of every pool (closing ones left out, as SHOW POOLS leaves them out). */
    CompletionStage<List<ConnectionRow>> servers();

    List<DatabaseRow> databases();

    List<UserRow> users();

    List<ConfigRow> config();

    /** Per database, summed over its pools. */
    List<StatsRow> stats();

    /** Summed over every pool (SHOW TOTALS); the row's database name is not shown. */
    StatsRow totals();

    ListCounts lists();

    PauseState pauseState();

    /** Serving or shutting down (SHOW STATE's row {@code state}, as {@code /health/ready} says it). */
    RunState runState();

    List<TenantRow> tenants();

    /** The budget table of every upstream server, upstream by upstream. */
    List<BudgetRow> budgets();

    /**
     * The statements pgmux prepares on servers in transaction mode (SHOW PREPARED), by database, user and name;
     * read on each event loop, so it completes later.
     */
    CompletionStage<List<PreparedRow>> prepared();

    /** The processes of the peer group (SHOW PEERS), by peer id; none without {@code peer_id}. */
    default List<PeerRow> peers() {
        return List.of();
    }

    /** The fleet's instances and their leases (SHOW FLEET); none without {@code fleet.enabled}. */
    default List<FleetLeaseRow> fleet() {
        return List.of();
    }
}
