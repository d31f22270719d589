package io.pgmux.server;

import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The settings pgmux knows a backend to have at session level: the reported parameters as the backend last told
 * them (ParameterStatus), the welcome it sent at login, and the settings pgmux made there that the backend does
 * not report. Names are lower-case. Confined to the server's event loop.
 */
final class ServerSettings {
    private final Map<String, String> reported = new HashMap<>();
    /*
     * The tracked parameters' values again, by slot (TrackedParameters): the alignment before every transaction
     * reads them there, by index, and not in the map, whose lookup hashes the name and walks a server's map that is
     * usually cold in the cache when servers rotate among many clients.
     */
    private final String[] tracked = new String[TrackedParameters.COUNT];
    private final Map<String, String> extra = new HashMap<>();
    /** Read-only views, made once: they are read for every transaction (settings alignment). */
    private final Map<String, String> reportedView = Collections.unmodifiableMap(reported);
    private final Map<String, String> extraView = Collections.unmodifiableMap(extra);
    private Map<String, String> welcome = Map.of();
    /*
     * Reported session parameters that are not tracked (session_authorization, is_superuser ...), by lower-case name,
     * with the value they had when pgmux last knew this backend's settings (null: none reported then); only those
     * reported since. Empty, and so allocation-free, while nothing but tracked parameters changes.
     */
    private final Map<String, String> reportedSinceKnown = new HashMap<>(4);

    /** The login's ParameterStatus messages, with their canonical names. */
    void welcome(Map<String, String> parameters) {
        welcome = Map.copyOf(parameters);
        welcome.forEach(this::reported);
        settingsKnown();
    }

    Map<String, String> welcome() {
        return welcome;
    }

    void reported(String name, String value) {
        String lowerCaseName = name.toLowerCase(Locale.ROOT);
        String was = reported.put(lowerCaseName, value);
        int slot = TrackedParameters.slotOf(lowerCaseName);
        if (slot >= 0) {
            tracked[slot] = value;
        } else if (!TrackedParameters.PER_SERVER.contains(lowerCaseName)
                && !reportedSinceKnown.containsKey(lowerCaseName)) {
            reportedSinceKnown.put(lowerCaseName, was);
        }
    }

    /** pgmux knows this backend's settings now (it set or read them): what was reported so far is explained. */
    void settingsKnown() {
        reportedSinceKnown.clear();
    }

    /**
     * Whether a reported session parameter that is not tracked has another value than when pgmux last knew this
     * backend's settings ({@link #settingsKnown}): something pgmux did not see (a function calling
     * {@code set_config('session_authorization', ...)}, say) changed the session. A value that came back (SET LOCAL
     * ROLE, undone at COMMIT) is no change. Counts as known from now on.
     */
    boolean takeUnexplainedReports() {
        if (reportedSinceKnown.isEmpty()) {
            return false;
        }
        boolean changed = false;
        for (Map.Entry<String, String> each : reportedSinceKnown.entrySet()) {
            changed |= !Objects.equals(each.getValue(), reported.get(each.getKey()));
        }
        reportedSinceKnown.clear();
        return changed;
    }

    /** The last reported value of the tracked parameter in {@code slot}, or null when none was reported. */
    String tracked(int slot) {
        return tracked[slot];
    }

    Map<String, String> reported() {
        return reportedView;
    }

    Map<String, String> extra() {
        return extraView;
    }

    /** Records an unreported setting pgmux made (or reset, with a null value). */
    void recordExtra(String lowerCaseName, String value) {
        if (value == null) {
            extra.remove(lowerCaseName);
        } else {
            extra.put(lowerCaseName, value);
        }
    }

    /** After DISCARD ALL: nothing pgmux set remains. */
    void forgetExtra() {
        extra.clear();
        settingsKnown();
    }

    /**
     * After RESET ALL: the unreported settings pgmux made are back at their defaults, except role and
     * session_authorization, which RESET ALL leaves as they are (PostgreSQL docs: RESET).
     */
    void forgetResettable() {
        extra.keySet().removeIf(name -> !name.equals("role") && !name.equals("session_authorization"));
        settingsKnown();
    }
}
