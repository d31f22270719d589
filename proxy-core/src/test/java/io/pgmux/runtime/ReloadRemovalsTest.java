package io.pgmux.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.client.ClientInfo;
import io.pgmux.client.ClientState;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ReloadRemovalsTest {
    private static PgmuxConfig config(List<String> databases, List<String> users) {
        StringBuilder yaml = new StringBuilder("databases:\n");
        databases.forEach(db -> yaml.append("  ").append(db).append(": {}\n"));
        yaml.append("tenants: {web: {pool_size: 2}}\nusers:\n");
        users.forEach(u -> yaml.append("  - {name: ").append(u).append(", password: pw, tenant: web}\n"));
        return ConfigLoader.parse(yaml.toString(), "t.yaml", Map.of());
    }

    /** {@code count} clients of {@code user} on {@code database}, added to {@code clients}. */
    private static void connected(List<ClientInfo> clients, String user, String database, int count) {
        for (int i = 0; i < count; i++) {
            clients.add(new ClientInfo(clients.size() + 1, user, database, ClientState.IDLE, null, null, 0, 0,
                    null, "", 0, "", ""));
        }
    }

    @Test
    void eachRemovedUserWithClientsGetsALineSayingHowMany() {
        List<ClientInfo> clients = new ArrayList<>();
        connected(clients, "api", "app", 5);
        connected(clients, "backoffice", "app", 3);
        connected(clients, "reports", "app", 1);
        assertEquals(List.of("user backoffice removed from the configuration; its 3 connected clients keep their"
                        + " connections until they leave (KILL_CLIENT closes one; SHOW CLIENTS lists them)",
                "user reports removed from the configuration; its 1 connected client keeps its connection until it"
                        + " leaves (KILL_CLIENT closes it; SHOW CLIENTS lists it)"),
                ReloadRemovals.notices(config(List.of("app"), List.of("api", "backoffice", "reports")),
                        config(List.of("app"), List.of("api")), clients));
    }

    @Test
    void aRemovedDatabaseWithClientsGetsItsLineToo() {
        List<ClientInfo> clients = new ArrayList<>();
        connected(clients, "api", "app", 1);
        connected(clients, "api", "archive", 2);
        assertEquals(List.of("database archive removed from the configuration; its 2 connected clients keep their"
                        + " connections until they leave (KILL_CLIENT closes one; SHOW CLIENTS lists them)"),
                ReloadRemovals.notices(config(List.of("app", "archive"), List.of("api")),
                        config(List.of("app"), List.of("api")), clients));
    }

    @Test
    void whatIsRemovedWithoutClientsAndWhatStaysAreNotMentioned() {
        List<ClientInfo> clients = new ArrayList<>();
        connected(clients, "api", "app", 4);
        assertEquals(List.of(), ReloadRemovals.notices(config(List.of("app", "archive"), List.of("api", "backoffice")),
                config(List.of("app"), List.of("api")), clients));
        assertEquals(List.of(), ReloadRemovals.notices(config(List.of("app"), List.of("api")),
                config(List.of("app", "new"), List.of("api", "new")), clients));
    }
}
