package io.pgmux.admin;

import io.pgmux.admin.show.ColumnSet;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The session parameters of one console session. Drivers send some at startup and SET others right after
 * connecting (pgjdbc's extra_float_digits, lib/pq's datestyle ...); the console accepts them, remembers them for
 * SHOW, and reports them as PostgreSQL would, the reported, Boolean, enum and numeric ones checked and spelled as
 * PostgreSQL's check hooks and SHOW do ({@link CheckHooks}), but nothing it answers depends on them: it speaks UTF8
 * and writes every value as text. The one parameter with an effect is {@value #EXTRA_COLUMNS}: {@code off} leaves
 * pgmux's own columns out of SHOW POOLS, CLIENTS, SERVERS and USERS, for tools that refuse columns PgBouncer does not
 * have.
 */
final class ConsoleParameters {
    static final String EXTRA_COLUMNS = "pgmux.extra_columns";

    /** Parameters a SET may name; lower case. SET of anything else is a pgmux setting. */
    private static final Set<String> SETTABLE = Set.of("application_name", "client_encoding", "datestyle",
            "timezone", "intervalstyle", "extra_float_digits", "search_path", "standard_conforming_strings",
            "default_transaction_isolation", "default_transaction_read_only", "default_transaction_deferrable",
            "transaction_isolation", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
            "client_min_messages", "bytea_output", "lc_messages", "lc_monetary", "lc_numeric", "lc_time", "jit",
            EXTRA_COLUMNS);
    /** The settable parameters that take a list (GUC_LIST_INPUT); search_path's is one of names (GUC_LIST_QUOTE). */
    private static final Set<String> LISTS = Set.of("datestyle", "search_path");
    /**
     * A transaction's own settings, to the session default each shows outside a transaction block: the console has
     * no transaction blocks, so a SET of one is checked and let go, as PostgreSQL does outside a block.
     */
    private static final Map<String, String> TRANSACTION_SCOPED = Map.of("transaction_isolation",
            "default_transaction_isolation");
    /** Parameters whose value the console fixes whatever a client asks: it has only one way to speak. */
    private static final Set<String> FIXED = Set.of("client_encoding", "server_encoding", "server_version",
            "integer_datetimes", "is_superuser", "session_authorization", "standard_conforming_strings",
            "in_hot_standby");
    /**
     * PostgreSQL 15's GUC_REPORT parameters, reported in the greeting and on change, spelled as PostgreSQL spells
     * them and in the order it sends them after AuthenticationOk: its GUC table's, by name ignoring case (guc.c,
     * BeginReportingGUCOptions). The values are PostgreSQL's defaults except where they are the console's own:
     * server_version names pgmux's release (a client must not take the console for a PostgreSQL server of some
     * version), TimeZone is UTC, is_superuser says whether the role may change pgmux.
     */
    private static final Map<String, String> REPORTED = reported("application_name", "client_encoding", "DateStyle",
            "default_transaction_read_only", "in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser",
            "server_encoding", "server_version", "session_authorization", "standard_conforming_strings", "TimeZone");

    /** PostgreSQL's values of the enum settings the console checks (guc.c), in the order its HINT lists them. */
    private static final List<String> ISOLATION_LEVELS = List.of("serializable", "repeatable read", "read committed",
            "read uncommitted");
    private static final List<String> MESSAGE_LEVELS = List.of("debug5", "debug4", "debug3", "debug2", "debug1",
            "log", "notice", "warning", "error");
    private static final Map<String, String> HIDDEN_MESSAGE_LEVELS = Map.of("debug", "debug2", "info", "info");
    private static final List<String> BYTEA_OUTPUTS = List.of("escape", "hex");

    private final Map<String, String> values = new LinkedHashMap<>();
    /** What the client was last told of each reported parameter, under PostgreSQL's spelling. */
    private final Map<String, String> lastReported = new LinkedHashMap<>();
    /** The values the session started with, for RESET. */
    private final Map<String, String> initial = new LinkedHashMap<>();

    private ConsoleParameters() {
    }

    /**
     * The parameters of a new session.
     *
     * @param startup       the StartupMessage's parameters, {@code options}' {@code -c} switches expanded
     * @param serverVersion what to report as server_version
     * @param notices       receives the NOTICEs PostgreSQL would send for the startup parameters (a name cut short)
     * @throws AdminException (22023) for a value PostgreSQL refuses of a parameter the console checks: a Boolean one
     *                        ({@value #EXTRA_COLUMNS}, default_transaction_read_only ...), an enum one (IntervalStyle,
     *                        client_min_messages ...), a number (extra_float_digits, statement_timeout ...), DateStyle
     *                        or TimeZone
     */
    static ConsoleParameters of(Map<String, String> startup, AdminRole role, String user, String serverVersion,
                                Consumer<PgError> notices) {
        ConsoleParameters p = new ConsoleParameters();
        p.values.put("application_name", "");
        p.values.put("client_encoding", "UTF8");
        p.values.put("datestyle", "ISO, MDY");
        p.values.put("default_transaction_read_only", "off");
        p.values.put("in_hot_standby", "off");
        p.values.put("integer_datetimes", "on");
        p.values.put("intervalstyle", "postgres");
        p.values.put("is_superuser", role.mayChange() ? "on" : "off");
        p.values.put("server_encoding", "UTF8");
        p.values.put("server_version", serverVersion);
        p.values.put("session_authorization", user);
        p.values.put("standard_conforming_strings", "on");
        p.values.put("timezone", "UTC");
        p.values.put("extra_float_digits", "1");
        p.values.put("default_transaction_isolation", "read committed");
        // PostgreSQL's defaults of the rest, so that SHOW answers each as it would; the locales are the C locale's.
        p.values.put("search_path", "\"$user\", public");
        p.values.put("statement_timeout", "0");
        p.values.put("lock_timeout", "0");
        p.values.put("idle_in_transaction_session_timeout", "0");
        p.values.put("client_min_messages", "notice");
        p.values.put("bytea_output", "hex");
        p.values.put("jit", "on");
        p.values.put("default_transaction_deferrable", "off");
        for (String each : new String[] {"lc_messages", "lc_monetary", "lc_numeric", "lc_time"}) {
            p.values.put(each, "C");
        }
        p.values.put(EXTRA_COLUMNS, "on");
        startup.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (SETTABLE.contains(lower)) {
                p.set(lower, name, value, notices);
            }
        });
        p.initial.putAll(p.values);
        return p;
    }

    /** A parameter's name as PostgreSQL spells it, e.g. {@code DateStyle}; most are in lower case. */
    static String spelled(String lowerCaseName) {
        return REPORTED.getOrDefault(lowerCaseName, lowerCaseName);
    }

    static boolean isSettable(String lowerCaseName) {
        return SETTABLE.contains(lowerCaseName);
    }

    /**
     * The parameters to greet a session with, under PostgreSQL's spelling; from then on each is reported again only
     * when its value differs from the one last reported ({@link #unreported}).
     */
    Map<String, String> greeting() {
        Map<String, String> result = new LinkedHashMap<>();
        REPORTED.forEach((lower, spelled) -> result.put(spelled, values.get(lower)));
        lastReported.clear();
        lastReported.putAll(result);
        return result;
    }

    /**
     * The reported parameters whose value differs from the one the client was last told (PostgreSQL's spelling to
     * the value), now counted as told. PostgreSQL tells them with ParameterStatus just before ReadyForQuery
     * (postgres.c, ReportChangedGUCOptions): after the query's CommandCompletes, once each, with the value the query
     * left, and not at all for a value set and set back.
     */
    Map<String, String> unreported() {
        Map<String, String> changed = new LinkedHashMap<>();
        REPORTED.forEach((lower, spelled) -> {
            String value = values.get(lower);
            if (!value.equals(lastReported.get(spelled))) {
                changed.put(spelled, value);
                lastReported.put(spelled, value);
            }
        });
        return changed;
    }

    /** The current value, for SHOW; empty for a parameter the session does not have. */
    Optional<String> show(String lowerCaseName) {
        return Optional.ofNullable(values.get(TRANSACTION_SCOPED.getOrDefault(lowerCaseName, lowerCaseName)));
    }

    /**
     * Applies a SET of a value as written in SQL: its items made one string as PostgreSQL's SET makes them
     * ({@link SetValue#flatten}), then as {@link #set(String, String, String, Consumer)}.
     *
     * @param notices receives the NOTICEs PostgreSQL would send for the value (a name cut short)
     * @throws AdminException (22023) for more than one item to a parameter that takes one, or a value refused there
     */
    void set(String lowerCaseName, SetValue value, Consumer<PgError> notices) {
        set(lowerCaseName, lowerCaseName, flattened(lowerCaseName, value, notices), notices);
    }

    /**
     * Checks a value as {@link #set(String, SetValue, Consumer)} would and changes nothing: a SET LOCAL, which
     * outside a transaction block PostgreSQL checks and then lets go.
     *
     * @throws AdminException as {@link #set(String, SetValue, Consumer)}
     */
    void check(String lowerCaseName, SetValue value, Consumer<PgError> notices) {
        String text = flattened(lowerCaseName, value, notices);
        if (!FIXED.contains(lowerCaseName)) {
            checked(lowerCaseName, lowerCaseName, text, notices);
        }
    }

    private static String flattened(String lowerCaseName, SetValue value, Consumer<PgError> notices) {
        return value.flatten(lowerCaseName, LISTS.contains(lowerCaseName), lowerCaseName.equals("search_path"),
                notices);
    }

    /**
     * Applies a SET; a reported parameter it changes is told of before the next ReadyForQuery ({@link #unreported}).
     * A transaction's own setting (transaction_isolation) is checked and let go, as outside a transaction block.
     *
     * @param givenName the name as the client wrote it, for an error that repeats it
     * @param notices   receives the NOTICEs PostgreSQL would send for the value (a name cut short)
     * @throws AdminException (22023) for a value PostgreSQL refuses of a parameter the console checks: a Boolean one
     *                        ({@value #EXTRA_COLUMNS}, default_transaction_read_only ...), an enum one (IntervalStyle,
     *                        client_min_messages ...), a number (extra_float_digits, statement_timeout ...), DateStyle
     *                        or TimeZone
     */
    void set(String lowerCaseName, String givenName, String value, Consumer<PgError> notices) {
        if (FIXED.contains(lowerCaseName)) {
            return;
        }
        value = checked(lowerCaseName, givenName, value, notices);
        if (!TRANSACTION_SCOPED.containsKey(lowerCaseName)) {
            values.put(lowerCaseName, value);
        }
    }

    /**
     * The value PostgreSQL would keep for a parameter given {@code value}: its check hook's ({@link CheckHooks}) for
     * the reported ones a client may set, so that none is echoed in ParameterStatus other than PostgreSQL would.
     */
    private String checked(String lowerCaseName, String givenName, String value, Consumer<PgError> notices) {
        switch (lowerCaseName) {
            case EXTRA_COLUMNS:
            case "default_transaction_read_only":
            case "default_transaction_deferrable":
            case "jit":
                return CheckHooks.bool(givenName, value);
            case "application_name":
                return CheckHooks.applicationName(value, notices);
            case "datestyle":
                return CheckHooks.dateStyle(value, values.get("datestyle"));
            case "intervalstyle":
                return CheckHooks.intervalStyle(givenName, value);
            case "timezone":
                return CheckHooks.timeZone(value);
            case "default_transaction_isolation":
            case "transaction_isolation":
                return CheckHooks.enumValue(givenName, value, ISOLATION_LEVELS, Map.of());
            case "client_min_messages":
                return CheckHooks.enumValue(givenName, value, MESSAGE_LEVELS, HIDDEN_MESSAGE_LEVELS);
            case "bytea_output":
                return CheckHooks.enumValue(givenName, value, BYTEA_OUTPUTS, Map.of());
            case "extra_float_digits":
                return IntegerSetting.integer(givenName, value, -15, 3);
            case "statement_timeout":
            case "lock_timeout":
            case "idle_in_transaction_session_timeout":
                return IntegerSetting.milliseconds(givenName, value);
            default:
                return value;
        }
    }

    /** RESET of one parameter, or of all ("all"), to the session's initial value. */
    void reset(String lowerCaseName) {
        for (String each : lowerCaseName.equals("all") ? Set.copyOf(values.keySet()) : Set.of(lowerCaseName)) {
            String start = initial.get(each);
            if (start == null) {
                values.remove(each);
            } else {
                set(each, each, start, notice -> { }); // a start value is already checked
            }
        }
    }

    /** The values now, for {@link #restore}. */
    Map<String, String> saved() {
        return Map.copyOf(values);
    }

    /**
     * Puts back values {@link #saved} before a query whose statement failed: PostgreSQL runs a Query's statements in
     * one implicit transaction, whose error rolls back the settings they made (guc.c, AtEOXact_GUC).
     */
    void restore(Map<String, String> saved) {
        values.clear();
        values.putAll(saved);
    }

    ColumnSet columns() {
        return "on".equals(values.get(EXTRA_COLUMNS)) ? ColumnSet.EXTENDED : ColumnSet.PGBOUNCER;
    }

    /** Lower-case name to PostgreSQL's spelling, in the order given. */
    private static Map<String, String> reported(String... spelled) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String each : spelled) {
            m.put(each.toLowerCase(Locale.ROOT), each);
        }
        return m;
    }
}
