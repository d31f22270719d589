package io.pgmux.server;

import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Set;

/**
 * The statements pgmux has prepared on one server connection, least recently used first, bounded by
 * max_prepared_statements. Names are pgmux's own (one per distinct query text and parameter types), so clients
 * that prepare the same statement share it on every server.
 */
public final class PreparedOnServer {
    private final LinkedHashMap<String, Boolean> names = new LinkedHashMap<>(16, 0.75f, true);
    /** Names the server still has but that must be closed before being prepared again (a stale plan). */
    private final Set<String> stale = new HashSet<>();
    private final int capacity;

    PreparedOnServer(int capacity) {
        this.capacity = Math.max(1, capacity);
    }

    /** Whether the statement is prepared there; counts as a use for the LRU order. */
    public boolean contains(String name) {
        return names.get(name) != null;
    }

    public void add(String name) {
        names.put(name, Boolean.TRUE);
    }

    public void remove(String name) {
        names.remove(name);
    }

    /** The least recently used name when the set is full, or null when there is room. */
    public String evictionCandidate() {
        if (names.size() < capacity) {
            return null;
        }
        Iterator<String> it = names.keySet().iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** After the server dropped everything (DISCARD ALL, DEALLOCATE ALL). */
    public void clear() {
        names.clear();
        stale.clear();
    }

    /**
     * A plan went stale ("cached plan must not change result type"); the error does not say which statement, so
     * every name is closed before its next use.
     */
    public void markAllStale() {
        stale.addAll(names.keySet());
        names.clear();
    }

    /** Whether the name must be closed first; clears the mark. */
    public boolean takeStale(String name) {
        return stale.remove(name);
    }

    public int size() {
        return names.size();
    }
}
