package io.pgmux.runtime;

import io.pgmux.admin.live.ClientCensus;
import io.pgmux.client.ClientConnection;
import io.pgmux.client.ClientInfo;
import io.pgmux.config.PgmuxConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator, at a reload, about the users it removes from {@code users} that still have clients connected.
 * Those clients keep their connections, as PostgreSQL keeps the session of a role dropped meanwhile and PgBouncer
 * the clients of a user it no longer lists: they go on with their pool and the budget they counted against until
 * they leave. One warning per such user says how many there are and how to close them, e.g. {@code user backoffice
 * removed from the configuration; its 3 connected clients keep their connections until they leave (KILL_CLIENT
 * closes one; SHOW CLIENTS lists them)}.
 */
public final class RemovedUsers {
    private static final Logger log = LoggerFactory.getLogger(RemovedUsers.class);

    private RemovedUsers() {
    }

    /**
     * Counts the clients of the users {@code running} lists and {@code next} does not, each read on its event loop,
     * and logs a warning per user with any; returns at once, the warnings follow. Call it with the configuration
     * in force before {@code next} is installed. Not on an event loop.
     *
     * @param clients calls its argument for every logged-in client ({@code ClientServices::forEachClient})
     */
    public static void report(PgmuxConfig running, PgmuxConfig next, Consumer<Consumer<ClientConnection>> clients) {
        if (removed(running, next).isEmpty()) {
            return;
        }
        ClientCensus.take(clients).whenComplete((infos, failure) -> {
            if (failure != null) {
                log.warn("could not count the clients of the users removed from the configuration", failure);
                return;
            }
            Map<String, Integer> connected = new TreeMap<>();
            for (ClientInfo each : infos) {
                connected.merge(each.user(), 1, Integer::sum);
            }
            notices(running, next, connected).forEach(log::warn);
        });
    }

    /**
     * The warnings for {@code connected} (clients per user name): one per user that {@code running} lists and
     * {@code next} does not and that has clients, in the order of {@code running}'s users.
     */
    static List<String> notices(PgmuxConfig running, PgmuxConfig next, Map<String, Integer> connected) {
        List<String> notices = new ArrayList<>();
        for (String user : removed(running, next)) {
            int clients = connected.getOrDefault(user, 0);
            if (clients == 1) {
                notices.add("user " + user + " removed from the configuration; its 1 connected client keeps its"
                        + " connection until it leaves (KILL_CLIENT closes it; SHOW CLIENTS lists it)");
            } else if (clients > 1) {
                notices.add("user " + user + " removed from the configuration; its " + clients + " connected clients"
                        + " keep their connections until they leave (KILL_CLIENT closes one; SHOW CLIENTS lists"
                        + " them)");
            }
        }
        return notices;
    }

    private static List<String> removed(PgmuxConfig running, PgmuxConfig next) {
        List<String> removed = new ArrayList<>();
        for (String user : running.users().keySet()) {
            if (!next.users().containsKey(user)) {
                removed.add(user);
            }
        }
        return removed;
    }
}
