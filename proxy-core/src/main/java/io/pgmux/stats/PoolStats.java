package io.pgmux.stats;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The statistics of one pool: (database, login user), in a tenant or none. Every method may be called from any
 * thread and costs a few plain memory writes on the caller's own block (see {@link CounterBlock}); the blocks are
 * summed only when {@link #totals()} is read. Durations are in microseconds; negative amounts are a bug and throw.
 *
 * <p>A reload may move the pool's user to another tenant ({@link #countUnder}): from then on everything is counted
 * under the new tenant, while what was counted before stays under the old one, so a tenant's counters never go
 * back and never take over another tenant's past ({@link #totalsByTenant}).
 */
public final class PoolStats {
    private final String database;
    private final String user;
    private final WriterSlots slots;
    /** The tenant counted under now; swapped by {@link #countUnder}. */
    private volatile Tally current;
    /** Every tenant counted under so far, the first first; copied on change. */
    private volatile Tally[] tallies;

    PoolStats(String database, String user, String tenant, WriterSlots slots) {
        this.database = Objects.requireNonNull(database, "database");
        this.user = Objects.requireNonNull(user, "user");
        this.slots = slots;
        this.current = new Tally(tenant);
        this.tallies = new Tally[] {current};
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    /** The tenant whose budget the pool draws on; empty for a user with none (its own default_pool_size). */
    public Optional<String> tenant() {
        return Optional.ofNullable(current.tenant);
    }

    /**
     * From now on counts under {@code tenant} (null for none): a reload moved the user. Counting under a tenant the
     * pool counted under before goes on where it stopped.
     */
    public synchronized void countUnder(String tenant) {
        if (Objects.equals(current.tenant, tenant)) {
            return;
        }
        for (Tally each : tallies) {
            if (Objects.equals(each.tenant, tenant)) {
                current = each;
                return;
            }
        }
        Tally fresh = new Tally(tenant);
        Tally[] grown = Arrays.copyOf(tallies, tallies.length + 1);
        grown[tallies.length] = fresh;
        tallies = grown;
        current = fresh;
    }

    // ---- the request path: called by the client side, on the client's event loop --------------------------------

    /** A transaction ended (ReadyForQuery 'I' after it) having spent {@code micros} on a server. */
    public void recordTransaction(long micros) {
        observe(Latency.XACT, micros);
        add(PoolCounter.XACT_COUNT, 1);
    }

    /** A query ended (ReadyForQuery after a Query or a Sync) {@code micros} after it was sent to the server. */
    public void recordQuery(long micros) {
        observe(Latency.QUERY, micros);
        add(PoolCounter.QUERY_COUNT, 1);
    }

    /** Bytes read from a client ({@code received}) and written to it ({@code sent}). */
    public void addBytes(long received, long sent) {
        add(PoolCounter.BYTES_RECEIVED, received);
        add(PoolCounter.BYTES_SENT, sent);
    }

    /** A client's Parse that names its statement (creates a prepared statement; PgBouncer's client parse). */
    public void countClientParse() {
        add(PoolCounter.CLIENT_PARSES, 1);
    }

    /** A Parse pgmux sent to a server of its own, preparing a named statement there. */
    public void countServerParse() {
        add(PoolCounter.SERVER_PARSES, 1);
    }

    /** A client's Bind of a named prepared statement. */
    public void countBind() {
        add(PoolCounter.BINDS, 1);
    }

    public void queryTimedOut() {
        add(PoolCounter.QUERY_TIMEOUTS, 1);
    }

    /** A client of this pool was closed for a protocol violation. */
    public void protocolError() {
        add(PoolCounter.PROTOCOL_ERRORS, 1);
    }

    /** A cancel request of a client of this pool was forwarded to its server. */
    public void cancelForwarded() {
        add(PoolCounter.CANCELS, 1);
    }

    // ---- login -----------------------------------------------------------------------------------------------

    /** A client logged in to this pool; must be matched by one {@link #clientLeft()}. */
    public void clientLoggedIn() {
        add(PoolCounter.CLIENT_LOGINS, 1);
    }

    public void clientLeft() {
        add(PoolCounter.CLIENT_LOGOUTS, 1);
    }

    // ---- the pool side: called by the pool manager ---------------------------------------------------------------

    /** A server was handed to a client that had asked for one {@code waitedMicros} before (0 if one was idle). */
    public void serverAssigned(long waitedMicros) {
        add(PoolCounter.SERVER_ASSIGNMENTS, 1);
        observe(Latency.WAIT, waitedMicros);
    }

    /** A client stopped waiting without a server (timeout, upstream refusal, or it left) after {@code micros}. */
    public void waitEnded(long waitedMicros) {
        observe(Latency.WAIT, waitedMicros);
    }

    /** A wait ended with query_wait_timeout; its time goes to {@link #waitEnded} as well. */
    public void waitTimedOut() {
        add(PoolCounter.WAIT_TIMEOUTS, 1);
    }

    /** A server connection finished logging in. */
    public void serverConnected() {
        add(PoolCounter.SERVER_CONNECTS, 1);
    }

    /** A server connection attempt failed before it could serve. */
    public void serverConnectFailed() {
        add(PoolCounter.SERVER_CONNECT_FAILURES, 1);
    }

    /** A failed attempt of this pool opened the circuit breaker of its upstream. */
    public void circuitOpened() {
        add(PoolCounter.CIRCUIT_OPENS, 1);
    }

    // ---- reading ---------------------------------------------------------------------------------------------

    /**
     * The sums of every writer's block now, under every tenant the pool has counted under (so clients that logged
     * in under one tenant and left under another are counted out); see {@link CounterBlock} for what "now" means.
     */
    public PoolTotals totals() {
        long[] sums = new long[CounterBlock.SIZE];
        for (Tally each : tallies) {
            each.addTo(sums);
        }
        return new PoolTotals(sums);
    }

    /** The sums now under each tenant the pool has counted under (a null key for none), the first first. */
    public Map<String, PoolTotals> totalsByTenant() {
        Map<String, PoolTotals> result = new LinkedHashMap<>();
        for (Tally each : tallies) {
            long[] sums = new long[CounterBlock.SIZE];
            each.addTo(sums);
            result.put(each.tenant, new PoolTotals(sums));
        }
        return result;
    }

    private void observe(Latency latency, long micros) {
        if (micros < 0) {
            throw new IllegalArgumentException(latency + " of " + micros + " µs in " + this);
        }
        CounterBlock block = block();
        block.add(latency.offset() + LatencyBuckets.indexOf(micros), 1);
        block.add(latency.sum().ordinal(), micros);
    }

    private void add(PoolCounter counter, long delta) {
        if (delta < 0) {
            throw new IllegalArgumentException(counter + " += " + delta + " in " + this);
        }
        block().add(counter.ordinal(), delta);
    }

    private CounterBlock block() {
        return current.block(slots.current());
    }

    /** What the pool counted under one tenant: a block per writer. */
    private static final class Tally {
        final String tenant;
        /** Indexed by writer slot; copied on growth, so a reader of the field sees fully built blocks. */
        private volatile CounterBlock[] blocks = new CounterBlock[0];
        private final CounterBlock.Shared shared = new CounterBlock.Shared();

        Tally(String tenant) {
            this.tenant = tenant;
        }

        CounterBlock block(int slot) {
            CounterBlock[] mine = blocks;
            if (slot < mine.length) {
                CounterBlock block = mine[slot];
                if (block != null) {
                    return block;
                }
            }
            return slot < WriterSlots.MAX ? newBlock(slot) : shared;
        }

        /** The first record of a thread under this tenant: rare, so a lock and a copy are fine. */
        private synchronized CounterBlock newBlock(int slot) {
            CounterBlock[] grown = blocks.length > slot ? blocks.clone() : Arrays.copyOf(blocks, slot + 1);
            CounterBlock block = new CounterBlock();
            grown[slot] = block;
            blocks = grown;
            return block;
        }

        void addTo(long[] sums) {
            for (CounterBlock each : blocks) {
                if (each != null) {
                    each.addTo(sums);
                }
            }
            shared.addTo(sums);
        }
    }

    @Override
    public String toString() {
        return "stats of " + database + "/" + user;
    }
}
