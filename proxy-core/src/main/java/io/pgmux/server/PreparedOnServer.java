package io.pgmux.server;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The statements pgmux has prepared on one server connection, least recently used first, bounded by
 * max_prepared_statements. Names are pgmux's own (one per distinct query text and parameter types), so clients
 * that prepare the same statement share it on every server.
 *
 * <p>Each name carries the generation its Parse was sent at (see {@code ServerPool#statementGeneration}): a
 * client whose own Parse came later must not use that plan, which may predate a schema change the client has
 * seen. {@link #STALE} marks a name the server may or may not still hold and that must be closed before it is
 * prepared again.
 *
 * <p>It also knows whose unnamed statement the server holds, if pgmux knows it at all: the unnamed statement is
 * per connection, replaced by every unnamed Parse and dropped by every simple Query.
 */
public final class PreparedOnServer {
    /** {@link #generation} of a name not prepared here. */
    public static final long ABSENT = -1;
    /** {@link #generation} of a name to close before it is prepared again (a stale plan, a DEALLOCATE's fate unknown). */
    public static final long STALE = 0;

    private final LinkedHashMap<String, Long> generations = new LinkedHashMap<>(16, 0.75f, true);
    private final int capacity;
    private Object unnamedOwner;
    private long unnamedNumber;

    PreparedOnServer(int capacity) {
        this.capacity = Math.max(1, capacity);
    }

    /**
     * The generation the name was prepared at, {@link #STALE}, or {@link #ABSENT}; counts as a use for the LRU
     * order.
     */
    public long generation(String name) {
        Long result = generations.get(name);
        return result == null ? ABSENT : result;
    }

    /** Records a Parse of {@code name} sent at {@code generation} (at least 1). */
    public void add(String name, long generation) {
        generations.put(name, generation);
    }

    public void remove(String name) {
        generations.remove(name);
    }

    /** The least recently used name when the set is full, or null when there is room. */
    public String evictionCandidate() {
        if (generations.size() < capacity) {
            return null;
        }
        Iterator<String> it = generations.keySet().iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** After the server dropped everything (DISCARD ALL run by pgmux). */
    public void clear() {
        generations.clear();
        dropUnnamed();
    }

    /**
     * Every name may be gone or unusable: a stale plan ("cached plan must not change result type", which does not
     * say which statement), or a DEALLOCATE ALL whose outcome is not known yet. Each is closed before its next use.
     */
    public void markAllStale() {
        generations.replaceAll((name, generation) -> STALE);
    }

    /** Like {@link #markAllStale} for one name (a DEALLOCATE of it). */
    public void markStale(String name) {
        generations.computeIfPresent(name, (each, generation) -> STALE);
    }

    /**
     * The names prepared here now, stale ones left out (SHOW PREPARED's servers); a copy, which does not count as
     * a use.
     */
    public java.util.Set<String> preparedNames() {
        java.util.Set<String> result = new java.util.HashSet<>();
        generations.forEach((name, generation) -> {
            if (generation > STALE) {
                result.add(name);
            }
        });
        return result;
    }

    public int size() {
        return generations.size();
    }

    /** Whether the server's unnamed statement is the one {@code owner} numbered {@code number}. */
    public boolean hasUnnamed(Object owner, long number) {
        return unnamedOwner == owner && unnamedNumber == number;
    }

    /** An unnamed Parse of {@code owner}'s statement {@code number} was sent: it replaces the server's. */
    public void unnamedParsed(Object owner, long number) {
        unnamedOwner = owner;
        unnamedNumber = number;
    }

    /** The server's unnamed statement is gone, or pgmux no longer knows whose it is (a simple Query ran). */
    public void dropUnnamed() {
        unnamedOwner = null;
        unnamedNumber = 0;
    }
}
