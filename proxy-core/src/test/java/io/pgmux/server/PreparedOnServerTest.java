package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PreparedOnServerTest {
    private final PreparedOnServer prepared = new PreparedOnServer(2);

    @Test
    void aNameCarriesTheGenerationItWasPreparedAt() {
        assertEquals(PreparedOnServer.ABSENT, prepared.generation("a"));
        prepared.add("a", 7);
        assertEquals(7, prepared.generation("a"));
        prepared.add("a", 9);
        assertEquals(9, prepared.generation("a"));
        prepared.remove("a");
        assertEquals(PreparedOnServer.ABSENT, prepared.generation("a"));
    }

    @Test
    void staleNamesStayCountedAndAreOlderThanAnyParse() {
        prepared.add("a", 3);
        prepared.add("b", 4);
        prepared.markAllStale();
        assertEquals(PreparedOnServer.STALE, prepared.generation("a"));
        assertTrue(prepared.generation("b") < 1);
        assertEquals(2, prepared.size(), "a stale name may still be on the server: it keeps its place in the LRU");
        prepared.add("b", 5);
        prepared.markStale("b");
        prepared.markStale("c");
        assertEquals(PreparedOnServer.STALE, prepared.generation("b"));
        assertEquals(PreparedOnServer.ABSENT, prepared.generation("c"));
    }

    @Test
    void theLeastRecentlyUsedNameIsEvictedWhenFull() {
        prepared.add("a", 1);
        assertNull(prepared.evictionCandidate());
        prepared.add("b", 1);
        prepared.generation("a");
        assertEquals("b", prepared.evictionCandidate());
    }

    @Test
    void theUnnamedStatementIsKnownByOwnerAndNumberUntilDropped() {
        Object client = new Object();
        assertFalse(prepared.hasUnnamed(client, 1));
        prepared.unnamedParsed(client, 1);
        assertTrue(prepared.hasUnnamed(client, 1));
        assertFalse(prepared.hasUnnamed(client, 2), "a later Parse of the same client");
        assertFalse(prepared.hasUnnamed(new Object(), 1), "another client's");
        prepared.dropUnnamed();
        assertFalse(prepared.hasUnnamed(client, 1));
        prepared.unnamedParsed(client, 2);
        prepared.clear();
        assertFalse(prepared.hasUnnamed(client, 2));
    }
}
