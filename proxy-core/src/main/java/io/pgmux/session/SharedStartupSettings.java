package io.pgmux.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of each distinct set of startup settings, shared by the clients that sent it. Each client keeps its
 * startup settings for its whole life (RESET and DISCARD ALL return to them), and the clients of one application
 * send the same few (client_encoding, application_name, DateStyle ...), so an idle client need not hold a map of its
 * own. At most {@link #LIMIT} distinct sets are kept, for the life of the process; a client whose set is not among
 * them keeps its own. Thread-safe.
 */
public final class SharedStartupSettings {
    /** Distinct sets kept; beyond them, sets are not shared (a few hundred bytes each, so at most about 0.5 MB). */
    static final int LIMIT = 1024;

    private final ConcurrentHashMap<Map<String, String>, Map<String, String>> sets = new ConcurrentHashMap<>();

    /**
     * The shared copy of {@code settings}, equal to it.
     *
     * @param settings lower-case setting name to value; immutable, as the result may be the same map
     */
    Map<String, String> share(Map<String, String> settings) {
        if (settings.isEmpty()) {
            return Map.of();
        }
        Map<String, String> known = sets.get(settings);
        if (known != null) {
            return known;
        }
        if (sets.size() >= LIMIT) {
            return settings;
        }
        known = sets.putIfAbsent(settings, settings);
        return known == null ? settings : known;
    }

    /** The distinct sets kept now. */
    int size() {
        return sets.size();
    }
}
