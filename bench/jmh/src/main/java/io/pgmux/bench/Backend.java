package io.pgmux.bench;

/** What a PostgreSQL 15 backend sends when a trusted login succeeds: the scripted peer of the benchmarks. */
final class Backend {
    private Backend() {
    }

    static byte[] loginAnswer() {
        return Wire.concat(
                Wire.message('R').int32(0).end(),
                parameter("application_name", ""),
                parameter("client_encoding", "UTF8"),
                parameter("DateStyle", "ISO, MDY"),
                parameter("integer_datetimes", "on"),
                parameter("IntervalStyle", "postgres"),
                parameter("is_superuser", "off"),
                parameter("server_encoding", "UTF8"),
                parameter("server_version", "15.14"),
                parameter("session_authorization", "bench"),
                parameter("standard_conforming_strings", "on"),
                parameter("TimeZone", "Etc/UTC"),
                Wire.message('K').int32(4242).int32(0x5eed5eed).end(),
                Pgbench.readyForQuery());
    }

    private static byte[] parameter(String name, String value) {
        return Wire.message('S').cstring(name).cstring(value).end();
    }

    /**
     * What the backend answers to the {@code SELECT pg_catalog.set_config('application_name', ...)} that gives a
     * server the client's application_name: the function's one text column and row, then the new value.
     */
    static byte[] setApplicationNameAnswer(String value) {
        return Wire.concat(
                Wire.message('T').int16(1).cstring("set_config").int32(0).int16(0).int32(25).int16(-1).int32(-1)
                        .int16(0).end(),
                Wire.message('D').int16(1).int32(value.length()).bytes(value).end(),
                Wire.message('C').cstring("SELECT 1").end(),
                parameter("application_name", value),
                Pgbench.readyForQuery());
    }

    /** A client's StartupMessage for protocol 3.0, with the parameters libpq sends for pgbench. */
    static byte[] startupMessage(String user, String database, String applicationName) {
        return Wire.packet().int32(196608).cstring("user").cstring(user).cstring("database").cstring(database)
                .cstring("application_name").cstring(applicationName).cstring("").end();
    }
}
