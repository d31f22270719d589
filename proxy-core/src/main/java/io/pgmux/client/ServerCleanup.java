package io.pgmux.client;

import io.pgmux.protocol.TransactionStatus;
import io.pgmux.server.ServerConnection;
import io.pgmux.session.SessionParameters;
import java.util.ArrayList;
import java.util.List;

/**
 * What becomes of a server whose client left while linked, or whose settings pgmux could not follow. A quiet
 * server is cleaned with statements of pgmux's own (ROLLBACK for an open transaction; then the reset its client
 * needs) and goes back to the pool, as does one left in COPY FROM STDIN once the COPY is failed and rolled back,
 * and one still running requests its client sent before a Terminate, once they have run; a server in the middle
 * of any other request is cancelled and closed.
 */
final class ServerCleanup {
    /** Everything a session can hold: settings, role and session authorization, temporary tables, locks ... */
    static final String DISCARD_ALL = "DISCARD ALL";
    /**
     * Every setting back to its default, role and session authorization included (RESET ALL leaves those two;
     * SET SESSION AUTHORIZATION DEFAULT resets both), without the rest of DISCARD ALL.
     */
    static final String RESET_SETTINGS = "SET SESSION AUTHORIZATION DEFAULT; RESET ALL";

    private ServerCleanup() {
    }

    /**
     * @param resetQuery        what to run on the server before anyone else gets it (besides ROLLBACK), or null
     * @param clientMidMessage  the client left inside a message whose first part already went to the server
     *                          (COPY data passes in runs): the backend waits for the rest of it and would read
     *                          whatever pgmux sent next (CopyFail, ROLLBACK, even Terminate) as its bytes, so the
     *                          server can only be hung up on
     * @param terminated        the client sent Terminate before it left: requests before it that end with a
     *                          ReadyForQuery run to their end, as PostgreSQL runs them ({@link RequestsBeforeTerminate})
     */
    static void afterClientLeft(ServerConnection server, String resetQuery, ClientServices services,
                                boolean clientMidMessage, boolean terminated) {
        if (!server.isUsable()) {
            return;
        }
        if (clientMidMessage) {
            server.cancelAndHangUp(services.connector());
            return;
        }
        if (server.isCopyIn()) {
            // The backend waits for rows that will never come; nothing else is running there.
            server.failCopy("the client left in the middle of COPY FROM STDIN");
            List<String> statements = new ArrayList<>(2);
            statements.add("ROLLBACK"); // a transaction block the COPY failed, if any; a warning otherwise
            addResetQuery(statements, resetQuery);
            reset(server, statements, services);
            return;
        }
        if (terminated && RequestsBeforeTerminate.owed(server)) {
            RequestsBeforeTerminate.runToTheirEnd(server, resetQuery, services);
            return;
        }
        if (!server.isQuiet()) {
            server.cancelAndClose(services.connector());
            return;
        }
        List<String> statements = cleanupStatements(server, resetQuery);
        if (statements.isEmpty()) {
            services.pools().release(server);
            return;
        }
        reset(server, statements, services);
    }

    /**
     * A server released at a transaction boundary in transaction mode: back to the pool at once, the path of nearly
     * every transaction (nothing allocated), unless pgmux could not read the client's settings back (they are all
     * reset, {@link #RESET_SETTINGS}) or {@code server_reset_query_always} is on ({@code resetQuery} runs, PgBouncer's
     * meaning); then those run first, pgmux's own reset before the reset query, and the client's settings are set
     * again on its next server, as after any reset.
     *
     * @param settingsUnknown whether pgmux could not read the client's settings back
     * @param resetQuery      what server_reset_query_always runs, or null
     */
    static void afterTransaction(ServerConnection server, boolean settingsUnknown, String resetQuery,
                                 ClientServices services) {
        if (!settingsUnknown && (resetQuery == null || resetQuery.isBlank())) {
            services.pools().release(server);
            return;
        }
        List<String> statements = new ArrayList<>(2);
        if (settingsUnknown) {
            statements.add(RESET_SETTINGS);
        }
        addResetQuery(statements, resetQuery);
        reset(server, statements, services);
    }

    /**
     * Runs pgmux's own cleanup statements on a quiet server, then gives it back clean, or closes it if any
     * failed. One Query each: DISCARD ALL refuses to run in the implicit transaction of a multi-statement query.
     */
    private static void reset(ServerConnection server, List<String> statements, ClientServices services) {
        services.pools().resetting(server);
        int[] remaining = {statements.size()};
        boolean[] failed = {false};
        for (String each : statements) {
            server.sendInternalQuery(each, error -> {
                failed[0] |= error != null;
                if (--remaining[0] > 0) {
                    return;
                }
                if (failed[0]) {
                    server.close();
                    return;
                }
                forgetWhatWasReset(server, statements);
                services.pools().resetDone(server);
            });
        }
        server.flush();
    }

    /**
     * Drops pgmux's record of what the statements reset. For reset queries it does not know, pgmux keeps its
     * record: at worst it sets a value again, and it never mistakes a server's state as clean.
     */
    private static void forgetWhatWasReset(ServerConnection server, List<String> statements) {
        if (ranStatement(statements, DISCARD_ALL)) {
            server.forgetSessionState();
        } else if (ranStatement(statements, RESET_SETTINGS)) {
            server.forgetSettings();
            server.recordExtraSetting(SessionParameters.ROLE, null);
            server.recordExtraSetting(SessionParameters.SESSION_AUTHORIZATION, null);
        } else if (ranStatement(statements, "RESET ALL")) {
            server.forgetSettings();
        }
    }

    /** Whether one of the statements is {@code command}, ignoring case, white space and a final ';'. */
    private static boolean ranStatement(List<String> statements, String command) {
        for (String each : statements) {
            if (each.trim().replaceAll(";$", "").trim().equalsIgnoreCase(command)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> cleanupStatements(ServerConnection server, String resetQuery) {
        List<String> result = new ArrayList<>(2);
        if (server.transactionStatus() != TransactionStatus.IDLE) {
            result.add("ROLLBACK");
        }
        addResetQuery(result, resetQuery);
        return result;
    }

    private static void addResetQuery(List<String> statements, String resetQuery) {
        if (resetQuery != null && !resetQuery.isBlank()) {
            statements.add(resetQuery);
        }
    }
}
