package io.pgmux.pool;

/**
 * A cap on open server connections (connecting ones included), shared by every pool it covers. Guarded by the
 * pool manager's lock.
 */
final class Budget {
    private final String description;
    private final int limit;
    private int used;

    /**
     * @param description names the budget in errors and logs, e.g. "tenant web on database app (pool_size 10)"
     * @param limit       0 for no cap
     */
    Budget(String description, int limit) {
        this.description = description;
        this.limit = limit;
    }

    boolean isExhausted() {
        return limit > 0 && used >= limit;
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

    String description() {
        return description;
    }

    @Override
    public String toString() {
        return description + " " + used + "/" + (limit == 0 ? "unlimited" : limit);
    }
}
