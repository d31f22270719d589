package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatementTest {
    private static final byte[] SELECT = "select x from t\0\0\0".getBytes(StandardCharsets.UTF_8);

    private static String name(byte[] definition, String nameResolution) {
        return Statement.of(definition, 0, nameResolution).serverName();
    }

    @Test
    void theSameDefinitionWhereNamesDenoteTheSameIsOneServerName() {
        assertEquals(name(SELECT, ""), name(SELECT.clone(), ""));
        assertTrue(name(SELECT, "").matches("pgmux_[0-9a-f]{24}"), name(SELECT, ""));
        assertNotEquals(name(SELECT, ""), name("select x from u\0\0\0".getBytes(StandardCharsets.UTF_8), ""));
    }

    @Test
    void anotherSearchPathOrRoleIsAnotherServerName() {
        String pool = name(SELECT, "");
        String tenantA = name(SELECT, SessionParameters.fromStartup(Map.of("search_path", "a")).nameResolution());
        String tenantB = name(SELECT, SessionParameters.fromStartup(Map.of("search_path", "b")).nameResolution());
        String roleA = name(SELECT, SessionParameters.fromStartup(Map.of("role", "a")).nameResolution());
        assertNotEquals(pool, tenantA);
        assertNotEquals(tenantA, tenantB);
        assertNotEquals(tenantA, roleA, "a search_path and a role of the same spelling stay apart");
        assertEquals(tenantA, name(SELECT, SessionParameters.fromStartup(Map.of("search_path", "a",
                "work_mem", "8MB")).nameResolution()), "other settings do not divide the clients");
    }
}
