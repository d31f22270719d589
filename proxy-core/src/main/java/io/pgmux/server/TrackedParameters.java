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

    private TrackedParameters() {
    }

    /** The slot of a lower-case parameter name, or -1 when it is not tracked; called per ParameterStatus. */
    public static int slotOf(String lowerCaseName) {
        return NAMES.indexOf(lowerCaseName);
    }
}
