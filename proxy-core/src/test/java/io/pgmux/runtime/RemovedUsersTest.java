package io.pgmux.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RemovedUsersTest {
    private static PgmuxConfig users(String... names) {
        StringBuilder yaml = new StringBuilder("databases: {app: {}}\ntenants: {web: {pool_size: 2}}\nusers:\n");
        for (String name : names) {
            yaml.append("  - {name: ").append(name).append(", password: pw, tenant: web}\n");
        }
        return ConfigLoader.parse(yaml.toString(), "t.yaml", Map.of());
    }

    @Test
    void eachRemovedUserWithClientsGetsALineSayingHowMany() {
        assertEquals(List.of("user backoffice removed from the configuration; its 3 connected clients keep their"
                        + " connections until they leave (KILL_CLIENT closes one; SHOW CLIENTS lists them)",
                "user reports removed from the configuration; its 1 connected client keeps its connection until it"
                        + " leaves (KILL_CLIENT closes it; SHOW CLIENTS lists it)"),
                RemovedUsers.notices(users("api", "backoffice", "reports"), users("api"),
                        Map.of("api", 5, "backoffice", 3, "reports", 1)));
    }

    @Test
    void aRemovedUserWithoutClientsAndAUserThatStaysAreNotMentioned() {
        assertEquals(List.of(), RemovedUsers.notices(users("api", "backoffice"), users("api"), Map.of("api", 4)));
        assertEquals(List.of(), RemovedUsers.notices(users("api"), users("api", "new"), Map.of("api", 4)));
    }
}
