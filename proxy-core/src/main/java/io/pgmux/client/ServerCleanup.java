package io.pgmux.client;

import io.pgmux.protocol.TransactionStatus;
import io.pgmux.server.ServerConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * What becomes of a server whose client left while linked. A quiet server is cleaned with statements of
 * pgmux's own (ROLLBACK for an open transaction; the reset query in session mode) and goes back to the pool, as
 * does one left in COPY FROM STDIN once the COPY is failed and rolled back; a server in the middle of any other
 * request cannot be trusted and is closed.
 */
final class ServerCleanup {
    private ServerCleanup() {
    }

    static void afterClientLeft(ServerConnection server, boolean discard, ClientServices services) {
        if (!server.isUsable()) {
            return;
        }
        if (server.isCopyIn()) {
            // The backend waits for rows that will never come; nothing else is running there.
            server.failCopy("the client left in the middle of COPY FROM STDIN");
            List<String> statements = new ArrayList<>(2);
            statements.add("ROLLBACK"); // a transaction block the COPY failed, if any; a warning otherwise
            addResetQuery(statements, discard, services.config().serverResetQuery());
            reset(server, statements, services);
            return;
        }
        if (!server.isQuiet()) {
            server.cancelAndClose(services.connector());
            return;
        }
        List<String> statements = cleanupStatements(server, discard, services.config().serverResetQuery());
        if (statements.isEmpty()) {
            services.pools().release(server);
            return;
        }
        reset(server, statements, services);
    }

    /**
     * A server released at a transaction boundary carries settings of unknown fate (a SET inside a transaction
     * block): RESET ALL before anyone else gets it.
     */
    static void resetSettings(ServerConnection server, ClientServices services) {
        reset(server, List.of("RESET ALL"), services);
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
                if (ranStatement(statements, "DISCARD ALL")) {
                    server.forgetSessionState();
                } else if (ranStatement(statements, "RESET ALL")) {
                    server.forgetSettings();
                }
                services.pools().resetDone(server);
            });
        }
        server.flush();
    }

    /**
     * Whether one of the statements is {@code command}. For other reset queries pgmux keeps its record of what
     * it set on the server: at worst it sets a value again, and it never mistakes a server's state as clean.
     */
    private static boolean ranStatement(List<String> statements, String command) {
        for (String each : statements) {
            if (each.trim().replaceAll(";$", "").trim().equalsIgnoreCase(command)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> cleanupStatements(ServerConnection server, boolean discard, String resetQuery) {
        List<String> result = new ArrayList<>(2);
        if (server.transactionStatus() != TransactionStatus.IDLE) {
            result.add("ROLLBACK");
        }
        addResetQuery(result, discard, resetQuery);
        return result;
    }

    private static void addResetQuery(List<String> statements, boolean discard, String resetQuery) {
        if (discard && resetQuery != null && !resetQuery.isBlank()) {
            statements.add(resetQuery);
        }
    }
}
