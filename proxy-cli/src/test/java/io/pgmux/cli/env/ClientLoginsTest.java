package io.pgmux.cli.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ClientLoginsTest {

    private static ClientLogin login(String name, String password) {
        return new ClientLogin(name, Optional.ofNullable(password));
    }

    @Test
    void listSplitsAtCommasAndEachEntryAtItsFirstColon() {
        assertEquals(List.of(login("app", "pw:with:colons"), login("reports", "r$1"), login("trusted", null)),
                ClientLogins.fromList("app:pw:with:colons, reports:r$1,trusted:"));
    }

    @Test
    void fileHasOneLoginPerLineAndPasswordsMayHoldCommas() {
        String file = "app:a,b,c\r\n\nreports: leading space\n  \nscram:SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2Vy\n";
        assertEquals(List.of(login("app", "a,b,c"), login("reports", " leading space"),
                        login("scram", "SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2Vy")),
                ClientLogins.fromFile(file));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "app:pw,,x:y|entry 2 is empty",
        ":pw|entry 1 has no user name",
        "app:pw,app:other|entry 2 names user \"app\" a second time"})
    void listProblemsSayWhichEntry(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientLogins.fromList(text));
        assertTrue(e.getMessage().contains(reason), e::getMessage);
    }

    @Test
    void anEntryWithoutAColonIsNeverRepeated() {
        // It may well be a password pasted in the wrong place.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClientLogins.fromList("app:pw,Tr0ub4dor&3"));
        assertTrue(e.getMessage().startsWith("entry 2 has no \":\""), e::getMessage);
        assertFalse(e.getMessage().contains("Tr0ub4dor"), e::getMessage);
    }

    @Test
    void fileProblemsSayWhichLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClientLogins.fromFile("app:pw\n\nsecret-without-name\n"));
        assertTrue(e.getMessage().startsWith("line 3 has no \":\""), e::getMessage);
    }

    @Test
    void anEmptyFileListsNobody() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientLogins.fromFile("\n\n"));
        assertTrue(e.getMessage().contains("lists no users"), e::getMessage);
    }

    @Test
    void toStringHidesThePassword() {
        assertEquals("app:***", login("app", "pw").toString());
        assertEquals("app", login("app", null).toString());
    }
}
