package io.pgmux.pool;

/**
 * A cap on open server connections (connecting and closing ones included), shared by every pool it covers: the
 * tenant's on a database (pool_size, with reserve_pool_size on top for long waits), the database's
 * (max_connections) or pgmux's (max_server_connections). Guarded by the pool lock, except {@link #pressure()}.
 * A reload resizes it in place; connections already counted stay counted until they close.
 */
final class Budget {
    private final String owner;
    private String setting;
    private int limit;
    private int reserve;
    private int used;
    /** Of {@link #used}, connections already closing: they will give their place back by themselves. */
    private int leaving;
    /**
     * With a fleet ({@code fleet.enabled}), the connections this instance may count against the budget: the leases
     * it holds in the upstream, minus those it is giving back. -1 without a fleet: the budget holds for this
     * instance alone. Never raised before the lease is held; lowered before a lease is given back.
     */
    private int leased;
    /** Pools drawing on this budget that have clients waiting. */
    private int waitingPools;
    /**
     * Non-zero while a connection given back by a client may be wanted elsewhere: some pool drawing on this budget
     * has waiting clients, or the budget holds more than it now allows. Read without the lock by the fast release
     * path, which then takes the lock; written under it.
     */
    private volatile int pressure;

    /**
     * @param owner   what the budget covers, e.g. "tenant web on database app"
     * @param setting the setting that sizes it, e.g. "pool_size"
     * @param limit   0 for no cap
     * @param reserve connections beyond {@code limit} granted once a client has waited reserve_pool_timeout
     * @param leasedFromFleet whether the budget is shared by a fleet: then it allows nothing until leases arrive
     */
    Budget(String owner, String setting, int limit, int reserve, boolean leasedFromFleet) {
        this.owner = owner;
        this.setting = setting;
        this.limit = limit;
        this.reserve = reserve;
        this.leased = leasedFromFleet ? 0 : -1;
    }

    Budget(String owner, String setting, int limit, int reserve) {
        this(owner, setting, limit, reserve, false);
    }

    /** Whether the connections counted here need leases from the fleet. */
    boolean isLeased() {
        return leased >= 0;
    }

    int leased() {
        return leased;
    }

    /**
     * Sets how many connections the fleet's leases allow here. Lowered below {@link #used}, the budget is
     * overdrawn: idle connections close, and busy ones close as their clients give them back.
     *
     * @throws IllegalStateException on a budget not shared by a fleet
     */
    void lease(int allowed) {
        if (leased < 0 || allowed < 0) {
            throw new IllegalStateException("budget " + description() + " is not leased from a fleet");
        }
        leased = allowed;
        updatePressure();
    }

    /** Applies a reloaded configuration; counted connections stay counted. */
    void resize(String newSetting, int newLimit, int newReserve) {
        setting = newSetting;
        limit = newLimit;
        reserve = newReserve;
        updatePressure();
    }

    boolean isExhausted(boolean reserveAllowed) {
        return (limit > 0 && used >= limit + (reserveAllowed ? reserve : 0)) || (leased >= 0 && used >= leased);
    }

    /** Whether the budget is full only for want of leases: another lease would let a connection open. */
    boolean isShortOfLeases(boolean reserveAllowed) {
        return leased >= 0 && used >= leased && !(limit > 0 && used >= limit + (reserveAllowed ? reserve : 0));
    }

    /**
     * More connections stay open (not counting closing ones) than the budget allows, even with its reserve, or
     * than the fleet's leases cover.
     */
    boolean isOverdrawn() {
        return (limit > 0 && used - leaving > limit + reserve) || (leased >= 0 && used - leaving > leased);
    }

    boolean hasReserve() {
        return reserve > 0;
    }

    void take() {
        used++;
        updatePressure();
    }

    /** A counted connection started closing. */
    void leaving() {
        leaving++;
        updatePressure();
    }

    /** A counted connection has gone; {@code wasLeaving} if it had been counted as closing. */
    void give(boolean wasLeaving) {
        if (used == 0 || (wasLeaving && leaving == 0)) {
            throw new IllegalStateException("budget " + description() + " released more than taken");
        }
        used--;
        if (wasLeaving) {
            leaving--;
        }
        updatePressure();
    }

    /** A pool drawing on this budget started ({@code +1}) or stopped ({@code -1}) having waiting clients. */
    void poolWaiting(int delta) {
        waitingPools += delta;
        if (waitingPools < 0) {
            throw new IllegalStateException("budget " + description() + ": more pools stopped waiting than started");
        }
        updatePressure();
    }

    private void updatePressure() {
        int next = waitingPools + (isOverdrawn() ? 1 : 0);
        if (next != pressure) {
            pressure = next;
        }
    }

    int pressure() {
        return pressure;
    }

    int used() {
        return used;
    }

    int limit() {
        return limit;
    }

    int reserve() {
        return reserve;
    }

    String owner() {
        return owner;
    }

    /** E.g. "tenant web on database app (pool_size 10)". */
    String description() {
        return owner + " (" + setting + " " + limit + ")";
    }

    /** The description with the count it had at some moment, e.g. for an error built after the lock. */
    String describe(int usedThen) {
        return description() + " " + usedThen + "/" + (limit == 0 ? "unlimited" : limit)
                + (reserve > 0 ? " (+" + reserve + " reserve)" : "")
                + (leased >= 0 ? " (fleet-wide; this instance holds " + leased + " lease(s))" : "");
    }

    @Override
    public String toString() {
        return describe(used);
    }
}
