package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SharedStartupSettingsTest {
    @Test
    void clientsThatSentTheSameSettingsShareOneCopy() {
        SharedStartupSettings shared = new SharedStartupSettings();
        Map<String, String> first = shared.share(Map.copyOf(Map.of("client_encoding", "UTF8", "application_name", "a")));
        Map<String, String> second = shared.share(Map.copyOf(new HashMap<>(Map.of("application_name", "a",
                "client_encoding", new String("UTF8")))));
        assertSame(first, second);
        assertEquals(1, shared.size());
        Map<String, String> other = shared.share(Map.of("application_name", "b"));
        assertNotSame(first, other);
        assertEquals(Map.of("application_name", "b"), other);
        assertSame(Map.of(), shared.share(Map.of()));
        assertEquals(2, shared.size());
    }

    @Test
    void beyondTheLimitASetIsKeptByItsClientAlone() {
        SharedStartupSettings shared = new SharedStartupSettings();
        for (int i = 0; i < SharedStartupSettings.LIMIT; i++) {
            shared.share(Map.of("application_name", "app" + i));
        }
        Map<String, String> late = Map.of("application_name", "late");
        assertSame(late, shared.share(late));
        assertSame(late, shared.share(late));
        assertNotSame(late, shared.share(Map.of("application_name", "late")));
        assertEquals(SharedStartupSettings.LIMIT, shared.size());
    }

    @Test
    void sessionsWithSharedSettingsKeepTheirOwnValuesApart() {
        SharedStartupSettings shared = new SharedStartupSettings();
        Map<String, String> packet = Map.of("user", "u", "database", "d", "application_name", "app",
                "search_path", "s1");
        SessionParameters one = SessionParameters.fromStartup(packet, shared);
        SessionParameters two = SessionParameters.fromStartup(packet, shared);
        assertSame(one.startupValues(null), two.startupValues(null));
        assertEquals(Map.of("application_name", "app", "search_path", "s1"), one.startupValues(null));

        // Shared, so no session may change it: what a session learns goes to its own map of other settings.
        assertThrows(UnsupportedOperationException.class, () -> one.startupValues(null).put("search_path", "s2"));
        assertNotSame(one.extraNames(), two.extraNames());
        assertEquals(Set.of("search_path"), two.extraNames());
    }
}
