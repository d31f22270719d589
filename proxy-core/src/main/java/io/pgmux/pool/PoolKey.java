package io.pgmux.pool;

/** Server connections are interchangeable only within the same database and login user. */
public record PoolKey(String database, String user) {
    @Override
    public String toString() {
        return database + "/" + user;
    }
}
