package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolKey;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AcceptedStartupSettingsTest {
    private static final PoolKey APP = new PoolKey("app", "app_user");
    private static final PoolKey OTHER_USER = new PoolKey("app", "other");

    @Test
    void noSettingsNeedNoServer() {
        assertTrue(new AcceptedStartupSettings().isAccepted(APP, Map.of()));
    }

    @Test
    void aSetIsKnownInThePoolThatTookItOnly() {
        AcceptedStartupSettings accepted = new AcceptedStartupSettings();
        Map<String, String> settings = Map.of("statement_timeout", "1234", "application_name", "app");
        assertFalse(accepted.isAccepted(APP, settings));
        accepted.accept(APP, settings, Map.of());
        assertTrue(accepted.isAccepted(APP, Map.of("application_name", "app", "statement_timeout", "1234")),
                "an equal set");
        assertFalse(accepted.isAccepted(OTHER_USER, settings), "what a user may set is the user's");
        assertFalse(accepted.isAccepted(APP, Map.of("statement_timeout", "1234", "work_mem", "4MB")), "another set");
    }

    @Test
    void beyondTheLimitNewSetsAreNotKept() {
        AcceptedStartupSettings accepted = new AcceptedStartupSettings();
        for (int i = 0; i < AcceptedStartupSettings.LIMIT; i++) {
            accepted.accept(APP, Map.of("statement_timeout", Integer.toString(i)), Map.of());
        }
        accepted.accept(APP, Map.of("statement_timeout", "one too many"), Map.of());
        assertFalse(accepted.isAccepted(APP, Map.of("statement_timeout", "one too many")));
        assertTrue(accepted.isAccepted(APP, Map.of("statement_timeout", "0")));
    }

    @Test
    void applicationNameIsNoPartOfASet() {
        AcceptedStartupSettings accepted = new AcceptedStartupSettings();
        // PostgreSQL takes any application_name: a connection named for its worker needs no server to log in.
        assertTrue(accepted.isAccepted(APP, Map.of("application_name", "worker-17")));
        accepted.accept(APP, Map.of("statement_timeout", "1234", "application_name", "worker-1"),
                Map.of("application_name", "worker-1"));
        assertTrue(accepted.isAccepted(APP, Map.of("statement_timeout", "1234", "application_name", "worker-2")));
        assertFalse(accepted.isAccepted(APP, Map.of("statement_timeout", "999", "application_name", "worker-1")));
        assertEquals(Map.of(), accepted.reportedFor(APP, Map.of("statement_timeout", "1234")),
                "what the database made of one client's name is not another's");
    }

    @Test
    void whatTheDatabaseReportedForASetIsKeptWithIt() {
        AcceptedStartupSettings accepted = new AcceptedStartupSettings();
        Map<String, String> settings = Map.of("timezone", "utc", "datestyle", "ISO");
        assertNull(accepted.reportedFor(APP, settings));
        accepted.accept(APP, settings, Map.of("TimeZone", "UTC", "DateStyle", "ISO, MDY"));
        assertEquals(Map.of("TimeZone", "UTC", "DateStyle", "ISO, MDY"), accepted.reportedFor(APP, settings));
        assertEquals(Map.of(), accepted.reportedFor(APP, Map.of()));
    }
}
