package io.pgmux.admin.spi;

/** How SHUTDOWN stops pgmux (PgBouncer's SHUTDOWN, SHUTDOWN WAIT_FOR_SERVERS, SHUTDOWN WAIT_FOR_CLIENTS). */
public enum ShutdownMode {
    /** Close every connection now and exit. */
    IMMEDIATE,
    /** Stop accepting clients and assigning servers; exit once every server is released. */
    WAIT_FOR_SERVERS,
    /** Stop accepting clients; exit once every client has left. */
    WAIT_FOR_CLIENTS
}
