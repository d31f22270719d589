package io.pgmux.admin;

import io.pgmux.admin.spi.ShutdownMode;
import java.util.Map;
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
     * SET TRANSACTION ...: the modes of the transaction block it runs in ({@link TransactionModes}, by setting). The
     * console has no transaction blocks, so it changes nothing, with PostgreSQL's WARNING for one outside a block.
     */
    record SetTransaction(Map<String, String> modes) implements AdminCommand {
        public SetTransaction {
            modes = Map.copyOf(modes);
        }

        public String tag() {
            return "SET";
        }

        public boolean changesPgmux() {
            return false;
        }
    }

    /**
     * SET SESSION CHARACTERISTICS AS TRANSACTION ...: the session's default transaction modes, as the settings they
     * stand for (default_transaction_isolation, default_transaction_read_only, default_transaction_deferrable), in
     * the order given. Drivers send it to set isolation or read-only mode.
     */
    record SetSessionCharacteristics(Map<String, String> settings) implements AdminCommand {
        public SetSessionCharacteristics {
            settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
        }

        public String tag() {
            return "SET";
        }

        public boolean changesPgmux() {
            return false;
        }
    }

    /**
     * SET LOCAL ...: {@code command} for the transaction block it runs in. The console has no transaction blocks,
     * so its value is checked and let go, with PostgreSQL's WARNING for one outside a block; nothing changes.
     */
    record SetLocal(AdminCommand command) implements AdminCommand {
        public String tag() {
            return "SET";
        }

        public boolean changesPgmux() {
            return false;
        }

        @Override
        public String name() {
            return "SET LOCAL";
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
