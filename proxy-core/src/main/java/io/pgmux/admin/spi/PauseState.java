package io.pgmux.admin.spi;

/** Whether pgmux serves, after PAUSE or SUSPEND (SHOW STATE's rows active, paused, suspended). */
public enum PauseState {
    ACTIVE,
    /** PAUSE without a database: no new server assignments until RESUME. */
    PAUSED,
    /** SUSPEND: no traffic at all until RESUME. */
    SUSPENDED
}
