package io.pgmux.server;

import java.util.List;

/**
 * The reported parameters that follow the client from server to server in transaction pooling (PgBouncer's
 * {@code track_extra_parameters} set plus the ones it always tracks), each with a fixed slot. Others
 * ({@code server_version}, {@code is_superuser} ...) are per server. A client's value and a server's value of a
 * tracked parameter sit in arrays indexed by slot, so comparing them before every transaction hashes no names.
 */
public final class TrackedParameters {
    /** Lower-case names, in slot order. */
    public static final List<String> NAMES = List.of("client_encoding", "datestyle", "timezone", "intervalstyle",
            "standard_conforming_strings", "application_name");
    public static final int COUNT = NAMES.size();
    /**
     * Reported parameters that describe the server, not the session: no session can change them, so they neither
     * follow a client nor say anything about what a client did (protocol docs, ParameterStatus; PostgreSQL 14 added
     * in_hot_standby). Every other reported parameter that is not tracked (session_authorization, is_superuser,
     * which follows SET ROLE across the superuser line, default_transaction_read_only ...) is a session's setting,
     * or follows one, that pgmux learns by reading the session's settings back.
     */
    public static final List<String> PER_SERVER = List.of("server_version", "server_encoding", "integer_datetimes",
            "in_hot_standby");

    private TrackedParameters() {
    }

    /** The slot of a lower-case parameter name, or -1 when it is not tracked; called per ParameterStatus. */
    public static int slotOf(String lowerCaseName) {
        return NAMES.indexOf(lowerCaseName);
    }
}
