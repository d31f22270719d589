package io.pgmux.session;

import io.pgmux.protocol.ProtocolException;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.TrackedParameters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A client's session settings, which must follow it from server to server in transaction mode.
 *
 * <p>Three kinds. Reported parameters that drivers rely on (client_encoding, DateStyle, TimeZone ...,
 * {@link #TRACKED}): the backend reports them whenever they change, so the client's values are the ones it was
 * told through ParameterStatus. Every other setting the client has at session level (from its startup packet, its
 * {@code options=-c ...}, or learnt from a server by {@link SettingsReadback}), role and session_authorization
 * included: values as the server shows them. And the startup values themselves, which RESET, RESET ALL and
 * DISCARD ALL return to, as on a direct connection.
 *
 * <p>Values are setting values as the server reads them in a startup packet or {@code set_config}, never SQL:
 * before a client's request goes to a server, {@link #alignmentSql} says what to {@code set_config} there.
 */
public final class SessionParameters {
    /** Reported parameters that follow the client. Others (server_version, is_superuser ...) are per server. */
    static final List<String> TRACKED = TrackedParameters.NAMES;
    private static final int STANDARD_CONFORMING_STRINGS = TRACKED.indexOf("standard_conforming_strings");
    private static final int APPLICATION_NAME = TRACKED.indexOf("application_name");
    private static final int DATESTYLE = TRACKED.indexOf("datestyle");
    public static final String ROLE = "role";
    public static final String SESSION_AUTHORIZATION = "session_authorization";
    private static final Set<String> NOT_SETTINGS = Set.of("user", "database", "options", "replication");
    private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

    /*
     * What the client was last told of each reported parameter, kept small because every idle client has it: the
     * tracked ones in a slot each (null: never told), the others as the pool's welcome (shared by its clients,
     * canonical names) unless a server reported another value since (lower-case names, made on the first).
     */
    private final String[] tracked = new String[TRACKED.size()];  // in the order of TRACKED
    private Map<String, String> welcomed = Map.of();
    private Map<String, String> otherTold;
    /** Lower-case name to value: the client's other settings at session level; made on the first. */
    private Map<String, String> extra = Map.of();
    /** Lower-case name to value: what the client asked for at startup. */
    private final Map<String, String> startup;
    /**
     * ParameterStatus name to value: the startup values of reported parameters that the database reads otherwise
     * than the client wrote them ({@code SQL,DMY} is {@code SQL, DMY}); one map for the clients of one set.
     */
    private Map<String, String> startupAsReported = Map.of();

    private SessionParameters(Map<String, String> startup) {
        // The shared map's values, not the packet's: the slots below hold them too.
        this.startup = startup;
        startup.forEach((name, value) -> {
            int slot = TRACKED.indexOf(name);
            if (slot >= 0) {
                tracked[slot] = value;
            } else {
                putExtra(name, value);
            }
        });
    }

    private void putExtra(String name, String value) {
        if (extra.isEmpty()) {
            extra = new HashMap<>(4);
        }
        extra.put(name, value);
    }

    /**
     * Reads the settings of a StartupMessage: every parameter except user, database and replication, plus the
     * {@code -c} switches of {@code options}.
     *
     * @throws ProtocolException for a name that is no setting name, or a malformed {@code options}
     */
    public static SessionParameters fromStartup(Map<String, String> startupPacket) {
        return fromStartup(startupPacket, new SharedStartupSettings());
    }

    /**
     * As {@link #fromStartup(Map)}, the settings shared with the clients that sent the same.
     *
     * @throws ProtocolException for a name that is no setting name, or a malformed {@code options}
     */
    public static SessionParameters fromStartup(Map<String, String> startupPacket, SharedStartupSettings shared) {
        Map<String, String> settings = new LinkedHashMap<>();
        String options = startupPacket.get("options");
        if (options != null) {
            settings.putAll(StartupOptions.parse(options));
        }
        startupPacket.forEach((name, value) -> {
            if (!NOT_SETTINGS.contains(name) && !name.startsWith("_pq_.")) {
                settings.put(name, value);
            }
        });
        Map<String, String> result = new HashMap<>();
        settings.forEach((name, value) -> {
            if (!SETTING_NAME.matcher(name).matches()) {
                throw new ProtocolException("invalid startup parameter name \"" + name + "\"");
            }
            // Interned: every client of an application sends the same few names, and each idle client keeps them.
            result.put(name.toLowerCase(Locale.ROOT).intern(), value);
        });
        return new SessionParameters(shared.share(Map.copyOf(result)));
    }

    /**
     * The ParameterStatus values to greet the client with: the pool's welcome parameters, with the client's own
     * values where it asked for them.
     */
    public Map<String, String> greeting(Map<String, String> welcome) {
        Map<String, String> result = new LinkedHashMap<>();
        welcomed = welcome;
        otherTold = null;
        welcome.forEach((name, value) -> {
            int slot = trackedSlot(name);
            String greeted = value;
            if (slot >= 0) {
                if (tracked[slot] != null) {
                    greeted = tracked[slot];
                }
                tracked[slot] = greeted;
            }
            result.put(name, greeted);
        });
        return result;
    }

    /**
     * The parameters of {@code greeting} (ParameterStatus name to value) the client has been told another value of
     * since: by the database, as a server was aligned to its startup settings for its login ({@code utc} reads
     * {@code UTC}). Name as in {@code greeting} to the value told.
     */
    public Map<String, String> toldOtherwise(Map<String, String> greeting) {
        Map<String, String> result = new LinkedHashMap<>();
        greeting.forEach((name, value) -> {
            String told = told(name);
            if (told != null && !told.equals(value)) {
                result.put(name, told);
            }
        });
        return result;
    }

    /**
     * A server was aligned to the client's startup settings for its login: the reported parameters among them are
     * what it reports now, PostgreSQL's reading of the client's text ({@code iso} is {@code ISO, MDY}), whether or not
     * the alignment changed them there.
     */
    public void tookStartupValues(ServerConnection server) {
        for (int i = 0; i < tracked.length; i++) {
            String reported = startup.containsKey(TRACKED.get(i)) ? server.reportedTracked(i) : null;
            if (reported != null) {
                tracked[i] = reported;
            }
        }
    }

    /**
     * Puts into {@code greeting} (see {@link #greeting}) what the database reported for the client's startup settings
     * at an earlier login with the same ({@link #toldOtherwise}), and takes those as what the client is told.
     */
    public void adopt(Map<String, String> greeting, Map<String, String> reported) {
        startupAsReported = reported;
        reported.forEach((name, value) -> {
            greeting.put(name, value);
            reported(name, value);
        });
    }

    /**
     * Records a reported parameter's value for the client.
     *
     * @return whether the client must be told, i.e. whether it believed another value
     */
    public boolean reported(String name, String value) {
        int slot = trackedSlot(name);
        if (slot >= 0) {
            String was = tracked[slot];
            tracked[slot] = value;
            return !value.equals(was);
        }
        if (value.equals(told(name))) {
            return false;
        }
        if (otherTold == null) {
            otherTold = new HashMap<>(4);
        }
        otherTold.put(name.toLowerCase(Locale.ROOT), value);
        return true;
    }

    /** What the client was last told of a reported parameter, by any spelling of its name; null if nothing. */
    private String told(String name) {
        int slot = trackedSlot(name);
        if (slot >= 0) {
            return tracked[slot];
        }
        String key = name.toLowerCase(Locale.ROOT);
        String was = otherTold == null ? null : otherTold.get(key);
        return was != null ? was : welcomedValue(key);
    }

    /** The slot of a tracked parameter, by any spelling of its name; -1 for others. */
    private static int trackedSlot(String name) {
        for (int i = 0; i < TRACKED.size(); i++) {
            if (TRACKED.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    private String welcomedValue(String lowerCaseName) {
        for (Map.Entry<String, String> each : welcomed.entrySet()) {
            if (each.getKey().equalsIgnoreCase(lowerCaseName)) {
                return each.getValue();
            }
        }
        return null;
    }

    /**
     * What the database reported for the client's startup settings where it reads them otherwise than they were
     * written (ParameterStatus name to value, see {@link #toldOtherwise}): how a RESET of one is told to the client.
     */
    public void startupReportedAs(Map<String, String> reported) {
        startupAsReported = reported;
    }

    /** The application_name the client was last told; for the console, which reads it from another thread. */
    public String applicationName() {
        return tracked[APPLICATION_NAME];
    }

    /**
     * What the client asked for at startup: lower-case setting name to value, immutable, the same map for the
     * clients that sent the same (see {@link SharedStartupSettings}).
     */
    public Map<String, String> startupSettings() {
        return startup;
    }

    /** The value the client gave at startup (lower-case name), or null. */
    String startupValue(String lowerCaseName) {
        return startup.get(lowerCaseName);
    }

    /**
     * The value the client gave at startup (lower-case name) as the database reports it in a ParameterStatus
     * ({@code SQL,DMY} is {@code SQL, DMY}), or null.
     */
    String reportedStartupValue(String lowerCaseName) {
        for (Map.Entry<String, String> each : startupAsReported.entrySet()) {
            if (each.getKey().equalsIgnoreCase(lowerCaseName)) {
                return each.getValue();
            }
        }
        return startup.get(lowerCaseName);
    }

    /** The startup values of the given settings (lower-case names), or of all when {@code names} is null. */
    Map<String, String> startupValues(Set<String> names) {
        if (names == null) {
            return startup;
        }
        Map<String, String> result = new HashMap<>();
        for (String each : names) {
            String value = startup.get(each);
            if (value != null) {
                result.put(each, value);
            }
        }
        return result;
    }

    /**
     * What decides, besides the pool's database and user, which objects the names in a statement's text denote:
     * the client's search_path, role and session authorization as pgmux knows them at session level ("$user" in a
     * search_path is the role). "" when all three are the server's own; otherwise one string that differs when any
     * of them does.
     */
    String nameResolution() {
        if (extra.isEmpty()) {
            return "";
        }
        String searchPath = extra.get("search_path");
        String role = extra.get(ROLE);
        String authorization = extra.get(SESSION_AUTHORIZATION);
        if (searchPath == null && role == null && authorization == null) {
            return "";
        }
        // NUL never occurs in a setting's value: the three stay apart.
        return (searchPath == null ? "" : "p" + searchPath) + '\0' + (role == null ? "" : "r" + role) + '\0'
                + (authorization == null ? "" : "a" + authorization);
    }

    /** The client's standard_conforming_strings, which decides how its SQL text is read. */
    boolean standardConformingStrings() {
        return !"off".equalsIgnoreCase(tracked[STANDARD_CONFORMING_STRINGS]);
    }

    /** The names of the client's settings at session level other than the tracked reported parameters. */
    Set<String> extraNames() {
        return extra.keySet();
    }

    /**
     * The statements that make {@code server} match this client, or null when it already does: one Query, one
     * implicit transaction, safe to pipeline before the client's own request.
     */
    public String alignmentSql(ServerConnection server) {
        // Runs for every transaction in transaction mode: nothing is allocated when the server already matches.
        List<String> calls = null;
        for (int i = 0; i < tracked.length; i++) {
            String own = tracked[i];
            if (own != null && !own.equals(server.reportedTracked(i))) {
                if (i == DATESTYLE) {
                    // A DateStyle may name its output format or its field order alone, and PostgreSQL keeps the
                    // other part as it is (a startup value: as configured). From the default, then, not from
                    // whatever the server's last client left there.
                    calls = add(calls, setConfig(TRACKED.get(i), null));
                }
                calls = add(calls, setConfig(TRACKED.get(i), own));
            }
        }
        Map<String, String> serverExtra = server.extraSettings();
        if (extra.isEmpty() && serverExtra.isEmpty()) {
            return calls == null ? null : sql(calls);
        }
        String authorization = null;
        String role = null;
        for (Map.Entry<String, String> each : extra.entrySet()) {
            if (!each.getValue().equals(serverExtra.get(each.getKey()))) {
                String call = setConfig(each.getKey(), each.getValue());
                if (each.getKey().equals(SESSION_AUTHORIZATION)) {
                    authorization = call;
                } else if (each.getKey().equals(ROLE)) {
                    role = call;
                } else {
                    calls = add(calls, call);
                }
            }
        }
        for (String each : serverExtra.keySet()) {
            if (!extra.containsKey(each)) {
                String call = setConfig(each, null);
                if (each.equals(SESSION_AUTHORIZATION)) {
                    authorization = call;
                } else if (each.equals(ROLE)) {
                    role = call;
                } else {
                    calls = add(calls, call);
                }
            }
        }
        // Session authorization first: setting it also resets the role. The role last: it decides what the
        // session may set, and what the client set it set as its login user or session authorization.
        if (authorization != null) {
            calls = add(calls, authorization);
            calls.add(0, calls.remove(calls.size() - 1));
        }
        if (role != null) {
            calls = add(calls, role);
        }
        return calls == null ? null : sql(calls);
    }

    private static List<String> add(List<String> calls, String call) {
        List<String> result = calls == null ? new ArrayList<>() : calls;
        result.add(call);
        return result;
    }

    /** The server may still carry another client's statement_timeout: it must not cancel the alignment. */
    private static String sql(List<String> calls) {
        return "SET LOCAL statement_timeout = 0; SELECT " + String.join(", ", calls);
    }

    /** After a successful alignment: the settings the server now carries. */
    public void recordAligned(ServerConnection server) {
        for (String each : Set.copyOf(server.extraSettings().keySet())) {
            if (!extra.containsKey(each)) {
                server.recordExtraSetting(each, null);
            }
        }
        extra.forEach(server::recordExtraSetting);
        server.settingsKnown();
    }

    /**
     * {@code set_config(name, value, false)}: a SET that reads its value as a startup parameter or
     * {@code options=-c} value is read (a list stays a list); a null value resets the setting.
     */
    private static String setConfig(String name, String value) {
        return "pg_catalog.set_config(" + SqlLiteral.of(name) + ", " + (value == null ? "NULL" : SqlLiteral.of(value))
                + ", false)";
    }

    /**
     * Takes what {@code server} said of the client's settings after its cycle: the values of the settings read
     * become the client's (a reset one is gone: its default is the server's), and are what the server now has.
     * Reported parameters are the client's through ParameterStatus; where the readback shows one the client was
     * told otherwise, {@code tell} gets the value to send.
     *
     * @param asked the names asked for by name (each answered, possibly with null)
     * @param answer lower-case name to value, for those and any other setting found at session level
     */
    void recordReadback(ServerConnection server, Set<String> asked, Map<String, String> answer, Tell tell) {
        Map<String, String> values = new HashMap<>(answer);
        for (String each : asked) {
            values.putIfAbsent(each, null);
        }
        values.forEach((name, value) -> {
            int slot = TRACKED.indexOf(name);
            if (slot >= 0) {
                if (value != null && !value.equals(tracked[slot])) {
                    tracked[slot] = value;
                    tell.parameterStatus(canonicalName(server, name), value);
                }
                return;
            }
            String own = isDefault(server, name, value) ? null : value;
            if (own == null) {
                if (!extra.isEmpty()) {
                    extra.remove(name);
                }
            } else {
                putExtra(name, own);
            }
            server.recordExtraSetting(name, own);
        });
        server.settingsKnown();
    }

    /** Whether a value read back is the server's default: no role, the login user, or an undefined setting. */
    private static boolean isDefault(ServerConnection server, String name, String value) {
        if (value == null) {
            return true;
        }
        if (name.equals(ROLE)) {
            return value.equals("none");
        }
        if (name.equals(SESSION_AUTHORIZATION)) {
            return value.equals(server.welcomeParameters().get(SESSION_AUTHORIZATION));
        }
        return false;
    }

    /** The name as the server reports it (TimeZone, DateStyle ...), for a ParameterStatus of pgmux's own. */
    static String canonicalName(ServerConnection server, String lowerCaseName) {
        for (String each : server.welcomeParameters().keySet()) {
            if (each.equalsIgnoreCase(lowerCaseName)) {
                return each;
            }
        }
        return lowerCaseName;
    }

    /** Sends the client a ParameterStatus of pgmux's own. */
    @FunctionalInterface
    public interface Tell {
        void parameterStatus(String name, String value);
    }
}
