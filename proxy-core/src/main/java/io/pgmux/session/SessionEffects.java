package io.pgmux.session;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the SQL of one Query or Parse may do to session state that transaction pooling must know about.
 *
 * <p>Settings are followed by asking the server for their values once the transaction cycle is over (see
 * {@link SessionTracker}), so this only says which settings to ask about: {@code names}, those a statement may
 * set or reset at session level; {@code resetNames}, those it may reset to the session's default (RESET name,
 * SET name TO DEFAULT, set_config(name, NULL, ...)), where the client's startup value must come back;
 * {@code resetAll} for RESET ALL and DISCARD ALL; {@code unnamed} when settings may change whose names the text
 * does not show (UPDATE pg_settings, DO blocks), so that all session-level settings are asked for. SET LOCAL,
 * SET TRANSACTION and set_config(..., true) end with their transaction and are no effect here.
 *
 * <p>{@code pinReason} names state that cannot follow the client to another server (LISTEN, a session advisory
 * lock, a temporary table that outlives its transaction, a cursor WITH HOLD, SQL PREPARE, a setting whose name
 * pgmux cannot learn), or is null. {@code transactionControl} says that some statement begins or ends a
 * transaction block (BEGIN, COMMIT, SAVEPOINT ...): without one, a Query run outside a block is a transaction of
 * its own.
 */
record SessionEffects(String pinReason, Set<String> names, Set<String> resetNames, boolean resetAll,
        boolean unnamed, boolean transactionControl) {
    static final SessionEffects NONE = new SessionEffects(null, Set.of(), Set.of(), false, false, false);

    SessionEffects {
        names = Set.copyOf(names);
        resetNames = Set.copyOf(resetNames);
    }

    /** Whether settings may have changed. */
    boolean touchesSettings() {
        return !names.isEmpty() || resetAll || unnamed;
    }

    /** Collects the effects of the statements of one text. */
    static final class Builder {
        private String pinReason;
        private final Set<String> names = new LinkedHashSet<>();
        private final Set<String> resetNames = new LinkedHashSet<>();
        private boolean resetAll;
        private boolean unnamed;
        private boolean transactionControl;

        /** The first reason wins: it is the statement that pins. */
        Builder pin(String reason) {
            if (pinReason == null) {
                pinReason = reason;
            }
            return this;
        }

        Builder set(String name) {
            names.add(name);
            return this;
        }

        Builder reset(String name) {
            names.add(name);
            resetNames.add(name);
            return this;
        }

        Builder resetAll() {
            resetAll = true;
            return this;
        }

        Builder unnamed() {
            unnamed = true;
            return this;
        }

        Builder transactionControl() {
            transactionControl = true;
            return this;
        }

        SessionEffects build() {
            if (pinReason == null && names.isEmpty() && !resetAll && !unnamed) {
                return NONE;
            }
            return new SessionEffects(pinReason, names, resetNames, resetAll, unnamed, transactionControl);
        }
    }
}
