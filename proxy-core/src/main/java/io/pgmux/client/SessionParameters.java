package io.pgmux.client;

import io.pgmux.protocol.ProtocolException;
import io.pgmux.server.ServerConnection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A client's session settings, which must follow it from server to server in transaction mode.
 *
 * <p>Two kinds: reported parameters that drivers rely on (client_encoding, DateStyle, TimeZone ...), whose
 * values the client was told through ParameterStatus and the backend reports whenever they change; and other
 * settings the client asked for at startup (extra_float_digits, search_path via {@code options} ...), which the
 * backend does not report, so pgmux remembers what it set on each server. Before a client's request goes to a
 * server, {@link #alignmentSql} says what to SET or RESET there.
 */
final class SessionParameters {
    /** Reported parameters that follow the client. Others (server_version, is_superuser ...) are per server. */
    static final Set<String> TRACKED = Set.of("client_encoding", "datestyle", "timezone", "intervalstyle",
            "standard_conforming_strings", "application_name");
    private static final Set<String> NOT_SETTINGS = Set.of("user", "database", "options", "replication");
    private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

    /** Lower-case name to value: what the client believes of each tracked reported parameter. */
    private final Map<String, String> tracked = new HashMap<>();
    /**
     * Lower-case name to the value as a SQL fragment (a quoted literal for startup values, the client's own text
     * for a SET it ran): unreported settings that follow the client.
     */
    private final Map<String, String> extra = new HashMap<>();

    /**
     * Reads the settings of a StartupMessage: every parameter except user, database and replication, plus the
     * {@code -c} switches of {@code options}.
     */
    static SessionParameters fromStartup(Map<String, String> startup) {
        SessionParameters result = new SessionParameters();
        Map<String, String> settings = new LinkedHashMap<>();
        String options = startup.get("options");
        if (options != null) {
            settings.putAll(StartupOptions.parse(options));
        }
        startup.forEach((name, value) -> {
            if (!NOT_SETTINGS.contains(name) && !name.startsWith("_pq_.")) {
                settings.put(name, value);
            }
        });
        settings.forEach((name, value) -> {
            if (!SETTING_NAME.matcher(name).matches()) {
                throw new ProtocolException("invalid startup parameter name \"" + name + "\"");
            }
            String key = name.toLowerCase(Locale.ROOT);
            if (TRACKED.contains(key)) {
                result.tracked.put(key, value);
            } else {
                result.extra.put(key, literal(value));
            }
        });
        return result;
    }

    /**
     * The ParameterStatus values to greet the client with: the pool's welcome parameters, with the client's own
     * values where it asked for them.
     */
    Map<String, String> greeting(Map<String, String> welcome) {
        Map<String, String> result = new LinkedHashMap<>();
        welcome.forEach((name, value) -> {
            String key = name.toLowerCase(Locale.ROOT);
            String own = tracked.get(key);
            if (TRACKED.contains(key)) {
                tracked.putIfAbsent(key, value);
            }
            result.put(name, own != null ? own : value);
        });
        return result;
    }

    /**
     * Records a value the backend reported while serving this client.
     *
     * @return whether the client's view changed, i.e. whether it must be told
     */
    boolean reported(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        if (!TRACKED.contains(key)) {
            return true;
        }
        return !value.equals(tracked.put(key, value));
    }

    /** The statements that make {@code server} match this client, or null when it already does. */
    String alignmentSql(ServerConnection server) {
        StringBuilder sql = null;
        Map<String, String> serverReported = server.reportedParameters();
        for (Map.Entry<String, String> each : tracked.entrySet()) {
            if (!each.getValue().equals(serverReported.get(each.getKey()))) {
                sql = append(sql, setReported(each.getKey(), each.getValue()));
            }
        }
        Map<String, String> serverExtra = server.extraSettings();
        for (Map.Entry<String, String> each : extra.entrySet()) {
            if (!each.getValue().equals(serverExtra.get(each.getKey()))) {
                sql = append(sql, set(each.getKey(), each.getValue()));
            }
        }
        for (String each : serverExtra.keySet()) {
            if (!extra.containsKey(each)) {
                sql = append(sql, "RESET " + each);
            }
        }
        return sql == null ? null : sql.toString();
    }

    /** After a successful alignment: the unreported settings the server now carries. */
    void recordAligned(ServerConnection server) {
        for (String each : Set.copyOf(server.extraSettings().keySet())) {
            if (!extra.containsKey(each)) {
                server.recordExtraSetting(each, null);
            }
        }
        extra.forEach(server::recordExtraSetting);
    }

    private static StringBuilder append(StringBuilder sql, String statement) {
        StringBuilder result = sql == null ? new StringBuilder() : sql.append("; ");
        return result.append(statement);
    }

    private static String set(String name, String sqlValue) {
        return "SET " + name + " TO " + sqlValue;
    }

    private static String setReported(String name, String value) {
        return set(name, literal(value));
    }

    /** The client ran SET outside a transaction and it succeeded on {@code server}. */
    void setByClient(String lowerCaseName, String sqlValue, ServerConnection server) {
        if (TRACKED.contains(lowerCaseName)) {
            return;
        }
        extra.put(lowerCaseName, sqlValue);
        server.recordExtraSetting(lowerCaseName, sqlValue);
    }

    /** The client ran RESET name outside a transaction. */
    void resetByClient(String lowerCaseName, ServerConnection server) {
        extra.remove(lowerCaseName);
        server.recordExtraSetting(lowerCaseName, null);
    }

    /** The client ran RESET ALL: back to the session defaults, i.e. the startup settings pgmux applied. */
    void resetAllByClient(Map<String, String> startupExtra, ServerConnection server) {
        extra.clear();
        extra.putAll(startupExtra);
        server.forgetSettings();
    }

    Map<String, String> extraSnapshot() {
        return Map.copyOf(extra);
    }

    /** An escape-string literal, correct whatever standard_conforming_strings is. */
    static String literal(String value) {
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
