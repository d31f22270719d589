package io.pgmux.admin;

import io.pgmux.admin.spi.ShutdownMode;
import java.util.Objects;
import java.util.Optional;

/**
 * One parsed console statement. Each knows its CommandComplete tag (PgBouncer's) and whether it changes pgmux,
 * which only admin users may do.
 */
sealed interface AdminCommand {
    String tag();

    /** Whether it changes pgmux (not just the session): stats users may not run it. */
    boolean changesPgmux();

    /** The name an error message gives it, e.g. "PAUSE". */
    default String name() {
        return tag();
    }

    record Show(ShowTarget target) implements AdminCommand {
        public String tag() {
            return "SHOW";
        }

        public boolean changesPgmux() {
            return false;
        }
    }

    /** SHOW of a session parameter, e.g. SHOW client_encoding. */
    record ShowParameter(String name) implements AdminCommand {
        public String tag() {
            return "SHOW";
        }

        public boolean changesPgmux() {
            return false;
        }
    }

    /** SET of a session parameter drivers send; changes only this session. */
    record SetParameter(String name, SetValue value) implements AdminCommand {
        public String tag() {
            return "SET";
        }

        public boolean changesPgmux() {
            return false;
        }
    }

    /** SET name TO DEFAULT, RESET name, RESET ALL ({@code name} "all"): back to the session's initial value. */
    record ResetParameter(String name, String tag) implements AdminCommand {

        public boolean changesPgmux() {
            return false;
        }
    }

    /**
     * SET TRANSACTION ... and SET SESSION CHARACTERISTICS AS TRANSACTION ...: drivers send them to set isolation or
     * read-only mode; the console has no transactions, so they change nothing.
     */
    record SetTransaction() implements AdminCommand {
        public String tag() {
            return "SET";
        }

        public boolean changesPgmux() {
            return false;
        }
    }

    /**
     * SET of a pgmux setting. Its CommandComplete tag is PostgreSQL's for SET, "SET": it never echoes the value,
     * which may be long (a server_reset_query).
     */
    record SetSetting(String key, String value) implements AdminCommand {
        public String tag() {
            return "SET";
        }

        public boolean changesPgmux() {
            return true;
        }

        @Override
        public String name() {
            return "SET " + Excerpt.of(key);
        }
    }

    /** PAUSE, RESUME, RECONNECT, KILL, WAIT_CLOSE, DISABLE, ENABLE: a verb and a database (or all). */
    record OnDatabase(Verb verb, Optional<String> database) implements AdminCommand {
        public OnDatabase {
            Objects.requireNonNull(verb, "verb");
            Objects.requireNonNull(database, "database");
        }

        public String tag() {
            return verb.name();
        }

        public boolean changesPgmux() {
            return true;
        }
    }

    record KillClient(long id) implements AdminCommand {
        public String tag() {
            return "KILL_CLIENT";
        }

        public boolean changesPgmux() {
            return true;
        }
    }

    record KillTenant(String tenant) implements AdminCommand {
        public String tag() {
            return "KILL";
        }

        public boolean changesPgmux() {
            return true;
        }

        @Override
        public String name() {
            return "KILL TENANT";
        }
    }

    record Suspend() implements AdminCommand {
        public String tag() {
            return "SUSPEND";
        }

        public boolean changesPgmux() {
            return true;
        }
    }

    record Reload() implements AdminCommand {
        public String tag() {
            return "RELOAD";
        }

        public boolean changesPgmux() {
            return true;
        }
    }

    record Shutdown(ShutdownMode mode) implements AdminCommand {
        public String tag() {
            return "SHUTDOWN";
        }

        public boolean changesPgmux() {
            return true;
        }
    }

    /** The commands that take a database, or none for all of them (DISABLE and ENABLE need one). */
    enum Verb {
        PAUSE(false),
        RESUME(false),
        RECONNECT(false),
        KILL(false),
        WAIT_CLOSE(false),
        DISABLE(true),
        ENABLE(true);

        private final boolean needsDatabase;

        Verb(boolean needsDatabase) {
            this.needsDatabase = needsDatabase;
        }

        boolean needsDatabase() {
            return needsDatabase;
        }
    }
}
