package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class SizesTest {
    @ParameterizedTest
    @CsvSource({
        "512kB, 524288",
        "64MB, 67108864",
        "1GB, 1073741824",
        "4096, 4096",
        "2048B, 2048",
        "64mb, 67108864",
        "8 kB, 8192",
        "0, 0",
    })
    void parsesGoodSizes(String text, long bytes) {
        assertEquals(bytes, Sizes.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-1", "1.5MB", "1TB", "MB", "64 M", "99999999999999GB"})
    void rejectsBadSizes(String text) {
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"1kB, 1024", "1024, 1024", "1GB, 1073741824", "1048576kB, 1073741824"})
    void maxMessageSizeAcceptsTheWholeRange(String text, int bytes) {
        assertEquals(bytes, TestConfigs.parse("databases: {app: {}}\nmax_message_size: " + text + "\n")
                .maxMessageSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1023", "512B", "1025MB", "2GB", "lots"})
    void maxMessageSizeOutsideTheRangeIsAProblem(String text) {
        ConfigException e = TestConfigs.problems("databases: {app: {}}\nmax_message_size: " + text + "\n");
        TestConfigs.assertProblem(e, "max_message_size", 2,
                "expected a size from 1kB to 1GB like 512kB, 64MB or a byte count, got \"" + text + "\"");
    }
}
