package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static ServerSettings welcomedAsSuperuser() {
        ServerSettings settings = new ServerSettings();
        Map<String, String> welcome = new LinkedHashMap<>();
        welcome.put("session_authorization", "su");
        welcome.put("is_superuser", "on");
        welcome.put("in_hot_standby", "off");
        welcome.put("DateStyle", "ISO, MDY");
        settings.welcome(welcome);
        return settings;
    }

    @Test
    void aSessionParameterReportedWithAnotherValueThanWhenPgmuxLastKnewIsUnexplained() {
        ServerSettings settings = welcomedAsSuperuser();
        assertFalse(settings.takeUnexplainedReports(), "the welcome is known");
        settings.reported("session_authorization", "bob");
        settings.reported("is_superuser", "off");
        assertTrue(settings.takeUnexplainedReports());
        assertFalse(settings.takeUnexplainedReports(), "known from then on");
        settings.reported("default_transaction_read_only", "on");
        assertTrue(settings.takeUnexplainedReports(), "an untracked parameter the welcome did not have");
    }

    @Test
    void aValueThatCameBackOrWasKnownOrDescribesTheServerIsExplained() {
        ServerSettings settings = welcomedAsSuperuser();
        // SET LOCAL ROLE, undone at COMMIT.
        settings.reported("is_superuser", "off");
        settings.reported("is_superuser", "on");
        assertFalse(settings.takeUnexplainedReports(), "came back");
        // SET ROLE, read back: pgmux knows the settings again.
        settings.reported("is_superuser", "off");
        settings.settingsKnown();
        assertFalse(settings.takeUnexplainedReports(), "read back");
        settings.reported("in_hot_standby", "on");
        settings.reported("DateStyle", "German, DMY");
        assertFalse(settings.takeUnexplainedReports(), "per server, or tracked by ParameterStatus");
        settings.reported("session_authorization", "bob");
        settings.forgetExtra();
        assertFalse(settings.takeUnexplainedReports(), "DISCARD ALL reset it");
    }
}
