package io.pgmux.admin.spi;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What the admin console can change, with PgBouncer's semantics (its documentation, "Process controlling
 * commands"). Called on the console session's event loop: no method may block. A refusal is an
 * {@link AdminException} carrying the SQLSTATE and a message that says what to do, thrown or, for the methods
 * that return a stage, completing it; the console then answers ERROR and stays usable. A database argument
 * names a configured database; an unknown one is {@code 3D000}.
 */
public interface AdminControl {
    /**
     * PAUSE: no new server assignments (for one database, or all); the stage completes, on any thread, once every
     * server the paused clients held is back in its pool. Already paused or suspended is {@code 55000}.
     */
    CompletionStage<Void> pause(Optional<String> database);

    /** RESUME: undoes PAUSE or SUSPEND (for one database, or all); not paused is {@code 55000}. */
    void resume(Optional<String> database);

    /** DISABLE: new clients of the database are refused; connected ones go on. */
    void disable(String database);

    /** ENABLE: undoes DISABLE. */
    void enable(String database);

    /** RECONNECT: close each server of the database (or all) when next released, so new ones are opened. */
    void reconnect(Optional<String> database);

    /** KILL: close every client and server of the database (or all) at once; the database stays paused. */
    void kill(Optional<String> database);

    /** KILL_CLIENT: close one client, named by the id SHOW CLIENTS shows; an unknown id is {@code 42704}. */
    void killClient(long id);

    /** KILL TENANT: close every client of the tenant's users at once; an unknown tenant is {@code 42704}. */
    void killTenant(String tenant);

    /** WAIT_CLOSE: the stage completes once every server of the database (or all) marked by RECONNECT is closed. */
    CompletionStage<Void> waitClose(Optional<String> database);

    /**
     * SUSPEND: stop all traffic once every buffer is flushed; the stage completes then. pgmux resumes by itself
     * when the last console session that could RESUME leaves (PgBouncer does the same).
     */
    CompletionStage<Void> suspend();

    /**
     * RELOAD: read the configuration file again and apply it, off the event loops; the stage completes once the new
     * configuration is in force, with the settings the file changes that only a restart applies (they keep their
     * running values; empty when there are none). An invalid file is refused with {@code F0000} (PostgreSQL's
     * config_file_error) naming its problems, an unreadable one with {@code 58030} (io_error), and the running
     * configuration stays.
     */
    CompletionStage<java.util.List<String>> reload();

    /** SHUTDOWN in one of its modes; returns once the shutdown has begun. */
    void shutdown(ShutdownMode mode);

    /**
     * SET key = value for a setting that can change while pgmux runs: installed as a reload installs the
     * configuration file, off the event loops; the stage completes once the new value is in force (SHOW CONFIG
     * shows it), and a RELOAD later reads the file's value again. An unknown key is {@code 42704}, one that needs a
     * restart or can change only in the file {@code 55P02}, an invalid value {@code 22023}; thrown at once.
     */
    CompletionStage<Void> set(String key, String value);
}
