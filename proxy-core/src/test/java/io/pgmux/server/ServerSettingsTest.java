package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerSettingsTest {
    @Test
    void trackedSlotsFollowTheWelcomeAndLaterParameterStatusWhateverTheCase() {
        ServerSettings settings = new ServerSettings();
        Map<String, String> welcome = new LinkedHashMap<>();
        welcome.put("DateStyle", "ISO, MDY");
        welcome.put("TimeZone", "UTC");
        welcome.put("server_version", "15.18");
        settings.welcome(welcome);
        settings.reported("application_name", "pgbench");
        settings.reported("DateStyle", "German, DMY");

        for (int slot = 0; slot < TrackedParameters.COUNT; slot++) {
            String name = TrackedParameters.NAMES.get(slot);
            assertEquals(settings.reported().get(name), settings.tracked(slot), name);
        }
        assertEquals("German, DMY", settings.tracked(TrackedParameters.slotOf("datestyle")));
        assertNull(settings.tracked(TrackedParameters.slotOf("client_encoding")), "never reported");
        assertEquals(-1, TrackedParameters.slotOf("server_version"), "per server, not tracked");
    }
}
