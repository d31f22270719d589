package io.pgmux.pool;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Which databases get no server assignments now (PgBouncer's PAUSE, and KILL, which leaves its database paused):
 * every database, or the ones named. Immutable; the pool core swaps it whole. Clients of a paused database wait in
 * their pool's queue; the servers they had go back idle.
 *
 * @param everything PAUSE without a database (or SUSPEND): every pool, also ones made later
 * @param databases  the databases paused one by one
 */
record Pause(boolean everything, Set<String> databases) {
    static final Pause NONE = new Pause(false, Set.of());

    Pause {
        databases = Set.copyOf(databases);
    }

    boolean covers(String database) {
        return everything || (!databases.isEmpty() && databases.contains(database));
    }

    /** Whether PAUSE of {@code database} (or of everything) finds it paused already. */
    boolean has(Optional<String> database) {
        return database.map(this::covers).orElse(everything);
    }

    Pause with(Optional<String> database) {
        if (database.isEmpty()) {
            return new Pause(true, databases);
        }
        Set<String> more = new HashSet<>(databases);
        more.add(database.get());
        return new Pause(everything, more);
    }

    /** RESUME of one database lifts its own pause; RESUME without one lifts every pause. */
    Pause without(Optional<String> database) {
        if (database.isEmpty()) {
            return NONE;
        }
        Set<String> fewer = new HashSet<>(databases);
        fewer.remove(database.get());
        return new Pause(everything, fewer);
    }
}
