package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class DurationsTest {
    @ParameterizedTest
    @CsvSource({
        "500ms, 500",
        "10s, 10000",
        "5m, 300000",
        "1h, 3600000",
        "0, 0",
        "0ms, 0",
        "15, 15000",
        "3600, 3600000",
    })
    void parsesGoodDurations(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-1", "-5s", "1.5s", "10 s", "5d", "1H", "s", "10sec", "1h30m",
        "9999999999999999999", "999999999999999999h"})
    void rejectsBadDurations(String text) {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    }

    @Test
    void badDurationInConfigIsReportedAtItsKey() {
        ConfigException e = TestConfigs.problems("databases: {app: {}}\nquery_timeout: 10x\n");
        TestConfigs.assertProblem(e, "query_timeout", 2,
                "expected a duration like 500ms, 10s, 5m, 1h or 0 (a bare number means seconds), got \"10x\"");
    }

    @Test
    void bareIntegerInConfigMeansSeconds() {
        assertEquals(Duration.ofSeconds(90),
                TestConfigs.parse("databases: {app: {}}\nclient_login_timeout: 90\n").timeouts().clientLoginTimeout());
    }
}
