package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamTargetTest {
    @Test
    void anApplicationNameIsAddedToTheStartupParametersAndCutTo63Bytes() {
        UpstreamTarget target = new UpstreamTarget("db", 5432, "app", "u", "pw", Map.of("DateStyle", "ISO"));
        UpstreamTarget named = target.withApplicationName("pgmux budget check");
        assertEquals(Map.of("DateStyle", "ISO", "application_name", "pgmux budget check"), named.startupParameters());
        assertEquals(target.host() + target.port() + target.user(), named.host() + named.port() + named.user());
        String longName = "x".repeat(80);
        assertEquals(63, target.withApplicationName(longName).startupParameters().get("application_name").length());
    }
}
