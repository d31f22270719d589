package io.pgmux.testing;

import java.nio.file.Path;

/** One way of having a PostgreSQL server: local binaries, an external server, or a container. */
interface PostgresServer {

    String host();

    int port();

    String superuserName();

    /** Null when the superuser is trusted. */
    String superuserPassword();

    String superuserDatabase();

    boolean canRestart();

    void stop();

    void start();

    /** Stops the server as a crash would (pg_ctl -m immediate): no checkpoint, backends killed. */
    default void stopImmediately() {
        throw new UnsupportedOperationException("cannot stop " + describe() + " immediately");
    }

    /** The postmaster's process id, for signalling it; only for servers this process runs. */
    default long postmasterPid() {
        throw new UnsupportedOperationException("no postmaster process of " + describe() + " to signal");
    }

    /** Null when the server's log is not a local file. */
    Path logFile();

    /** Null when there are no local binaries. */
    String binDir();

    /** Stops the server (if this object started it) and removes what it created. Idempotent. */
    void close();

    /** For messages: what this is and where it lives. */
    String describe();
}
