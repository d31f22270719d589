package io.pgmux.runtime;

import io.pgmux.admin.live.ClientCensus;
import io.pgmux.client.ClientConnection;
import io.pgmux.client.ClientInfo;
import io.pgmux.config.PgmuxConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator, at a reload, about the users and databases it removes that still have clients connected.
 * Those clients keep their connections, as PostgreSQL keeps the session of a role dropped meanwhile and PgBouncer
 * the clients of a user it no longer lists: they go on with their pool and the budget they counted against until
 * they leave. One warning per such user or database says how many there are and how to close them, e.g.
 * {@code user backoffice removed from the configuration; its 3 connected clients keep their connections until they
 * leave (KILL_CLIENT closes one; SHOW CLIENTS lists them)}.
 */
public final class ReloadRemovals {
    private static final Logger log = LoggerFactory.getLogger(ReloadRemovals.class);

    private ReloadRemovals() {
    }

    /**
     * Counts the clients of the users and databases {@code running} has and {@code next} does not, each client read
     * on its event loop, and logs a warning per user or database with any; returns at once, the warnings follow.
     * Call it with the configuration in force before {@code next} is installed. Not on an event loop.
     *
     * @param clients calls its argument for every logged-in client ({@code ClientServices::forEachClient})
     */
    public static void report(PgmuxConfig running, PgmuxConfig next, Consumer<Consumer<ClientConnection>> clients) {
        if (removed(running.users().keySet(), next.users().keySet()).isEmpty()
                && removed(running.databases().keySet(), next.databases().keySet()).isEmpty()) {
            return;
        }
        ClientCensus.take(clients).whenComplete((infos, failure) -> {
            if (failure != null) {
                log.warn("could not count the clients of the users and databases removed from the configuration",
                        failure);
                return;
            }
            notices(running, next, infos).forEach(log::warn);
        });
    }

    /**
     * The warnings for {@code connected}: one per user, then one per database, that {@code running} has and
     * {@code next} does not and that has clients, in {@code running}'s order.
     */
    static List<String> notices(PgmuxConfig running, PgmuxConfig next, List<ClientInfo> connected) {
        List<String> notices = new ArrayList<>();
        add(notices, "user", removed(running.users().keySet(), next.users().keySet()), connected, ClientInfo::user);
        add(notices, "database", removed(running.databases().keySet(), next.databases().keySet()), connected,
                ClientInfo::database);
        return notices;
    }

    private static void add(List<String> notices, String kind, List<String> removed, List<ClientInfo> connected,
                            Function<ClientInfo, String> nameOf) {
        if (removed.isEmpty()) {
            return;
        }
        Map<String, Integer> clients = new HashMap<>();
        for (ClientInfo each : connected) {
            clients.merge(nameOf.apply(each), 1, Integer::sum);
        }
        for (String name : removed) {
            int count = clients.getOrDefault(name, 0);
            String what = kind + " " + name + " removed from the configuration; its ";
            if (count == 1) {
                notices.add(what + "1 connected client keeps its connection until it leaves (KILL_CLIENT closes it;"
                        + " SHOW CLIENTS lists it)");
            } else if (count > 1) {
                notices.add(what + count + " connected clients keep their connections until they leave (KILL_CLIENT"
                        + " closes one; SHOW CLIENTS lists them)");
            }
        }
    }

    private static List<String> removed(Set<String> running, Set<String> next) {
        List<String> removed = new ArrayList<>();
        for (String name : running) {
            if (!next.contains(name)) {
                removed.add(name);
            }
        }
        return removed;
    }
}
