package io.pgmux.pool;

/**
 * A cap on open server connections (connecting ones included), shared by every pool it covers. Guarded by the
 * pool manager's lock.
 */
final class Budget {
    private final String description;
    private final int limit;
    private final int reserve;
    private int used;

    /**
     * @param description names the budget in errors and logs, e.g. "tenant web on database app (pool_size 10)"
     * @param limit       0 for no cap
     */
    Budget(String description, int limit) {
        this(description, limit, 0);
    }

    /**
     * @param reserve connections beyond {@code limit} granted once a client has waited reserve_pool_timeout
     */
    Budget(String description, int limit, int reserve) {
        this.description = description;
        this.limit = limit;
        this.reserve = reserve;
    }

    boolean isExhausted(boolean reserveAllowed) {
        return limit > 0 && used >= limit + (reserveAllowed ? reserve : 0);
    }

    boolean hasReserve() {
        return reserve > 0;
    }

    void take() {
        used++;
    }

    void give() {
        if (used == 0) {
            throw new IllegalStateException("budget " + description + " released more than taken");
        }
        used--;
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

    String description() {
        return description;
    }

    @Override
    public String toString() {
        return description + " " + used + "/" + (limit == 0 ? "unlimited" : limit)
                + (reserve > 0 ? " (+" + reserve + " reserve)" : "");
    }
}
