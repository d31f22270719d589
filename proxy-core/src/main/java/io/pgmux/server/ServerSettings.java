package io.pgmux.server;

import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The settings pgmux knows a backend to have at session level: the reported parameters as the backend last told
 * them (ParameterStatus), the welcome it sent at login, and the settings pgmux made there that the backend does
 * not report. Names are lower-case. Confined to the server's event loop.
 */
final class ServerSettings {
    private final Map<String, String> reported = new HashMap<>();
    private final Map<String, String> extra = new HashMap<>();
    /** Read-only views, made once: they are read for every transaction (settings alignment). */
    private final Map<String, String> reportedView = Collections.unmodifiableMap(reported);
    private final Map<String, String> extraView = Collections.unmodifiableMap(extra);
    private Map<String, String> welcome = Map.of();

    /** The login's ParameterStatus messages, with their canonical names. */
    void welcome(Map<String, String> parameters) {
        welcome = Map.copyOf(parameters);
        welcome.forEach(this::reported);
    }

    Map<String, String> welcome() {
        return welcome;
    }

    void reported(String name, String value) {
        reported.put(name.toLowerCase(Locale.ROOT), value);
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
    }

    /**
     * After RESET ALL: the unreported settings pgmux made are back at their defaults, except role and
     * session_authorization, which RESET ALL leaves as they are (PostgreSQL docs: RESET).
     */
    void forgetResettable() {
        extra.keySet().removeIf(name -> !name.equals("role") && !name.equals("session_authorization"));
    }
}
