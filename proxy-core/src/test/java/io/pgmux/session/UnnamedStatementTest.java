package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UnnamedStatementTest {
    private final UnnamedStatement unnamed = new UnnamedStatement();

    /** A Parse body with an empty name: the definition starts at 1. */
    private static ByteBuf parseBody(String sql) {
        return Unpooled.wrappedBuffer(("\0" + sql + "\0\0\0").getBytes(StandardCharsets.UTF_8));
    }

    private long parsed(ByteBuf body) {
        return unnamed.parsed(body, 1, body.writerIndex(), null, null);
    }

    @Test
    void eachParseIsNumberedAndKeepsItsDefinition() {
        assertFalse(unnamed.isDefined());
        assertEquals(1, parsed(parseBody("select 1")));
        assertTrue(unnamed.isDefined());
        assertArrayEquals("select 1\0\0\0".getBytes(StandardCharsets.UTF_8), unnamed.definition());
        assertEquals(2, parsed(parseBody("select 2")));
        assertArrayEquals("select 2\0\0\0".getBytes(StandardCharsets.UTF_8), unnamed.definition());
    }

    @Test
    void theSameTextAgainIsNotCopiedAgain() {
        parsed(parseBody("select $1::int"));
        byte[] first = unnamed.definition();
        parsed(parseBody("select $1::int"));
        assertSame(first, unnamed.definition());
    }

    @Test
    void aFailedParseLeavesNoneOnceNothingIsOutstanding() {
        parsed(parseBody("select 1"));
        unnamed.done(true);
        parsed(parseBody("selec"));
        parsed(parseBody("select 3"));
        unnamed.done(false);
        assertTrue(unnamed.isDefined(), "a later Parse is outstanding: the client's next message finds it");
        unnamed.skipped();
        assertFalse(unnamed.isDefined(), "the failed Parse dropped the first; the third was skipped");
    }

    @Test
    void aSkippedParseLeavesTheStatementBeforeIt() {
        long first = parsed(parseBody("select 1"));
        unnamed.done(true);
        parsed(parseBody("select 2"));
        parsed(parseBody("select 3"));
        unnamed.skipped();
        unnamed.skipped();
        assertTrue(unnamed.isDefined());
        assertEquals(first, unnamed.number());
        assertArrayEquals("select 1\0\0\0".getBytes(StandardCharsets.UTF_8), unnamed.definition());
        assertEquals(4, parsed(parseBody("select 4")), "numbers are never given twice");
    }

    @Test
    void aParseAnsweredWhileALaterOneIsOutstandingIsWhatTheBackendHoldsIfTheLaterIsSkipped() {
        parsed(parseBody("select 1"));
        parsed(parseBody("select 2"));
        parsed(parseBody("select 3"));
        unnamed.done(true);
        unnamed.done(true);
        assertArrayEquals("select 3\0\0\0".getBytes(StandardCharsets.UTF_8), unnamed.definition());
        unnamed.skipped();
        assertTrue(unnamed.isDefined());
        assertArrayEquals("select 2\0\0\0".getBytes(StandardCharsets.UTF_8), unnamed.definition());
    }

    @Test
    void aQueryOrCloseDropsItWhenTheBackendRunsItFailingOrNotAndNotWhenItIsSkipped() {
        parsed(parseBody("select 1"));
        unnamed.done(true);
        unnamed.dropSent();
        assertFalse(unnamed.isDefined());
        assertFalse(unnamed.newestInDoubt(), "in its own batch the backend skips what reads it too");
        unnamed.syncSent();
        assertTrue(unnamed.newestInDoubt(), "behind a Sync, what reads it waits for its answer");
        unnamed.skipped();
        assertFalse(unnamed.newestInDoubt());
        assertTrue(unnamed.isDefined(), "skipped: the statement stays");
        unnamed.dropSent();
        unnamed.done(false);
        assertFalse(unnamed.isDefined(), "a Query that fails has dropped it first");
        parsed(parseBody("select 2"));
        unnamed.done(true);
        unnamed.dropSent();
        unnamed.done(true);
        assertFalse(unnamed.isDefined());
    }

    @Test
    void aCertainDropNeedsNothingOutstanding() {
        parsed(parseBody("select 1"));
        assertThrows(IllegalStateException.class, unnamed::dropped);
        unnamed.done(true);
        unnamed.dropped();
        assertFalse(unnamed.isDefined());
        assertFalse(unnamed.changesOutstanding());
        assertThrows(IllegalStateException.class, unnamed::skipped, "no change outstanding to answer");
    }

    @Test
    void aDefinitionIsTheSameOnlyByteForByteAndThenAParseAgainKeepsItAndCountsOn() {
        ByteBuf body = parseBody("select $1::int");
        assertFalse(unnamed.sameAs(body, 1, body.writerIndex()), "nothing kept yet");
        parsed(body);
        byte[] kept = unnamed.definition();
        ByteBuf again = parseBody("select $1::int");
        assertTrue(unnamed.sameAs(again, 1, again.writerIndex()));
        ByteBuf sameLength = parseBody("select $1::txt");
        assertFalse(unnamed.sameAs(sameLength, 1, sameLength.writerIndex()));
        ByteBuf longer = parseBody("select $1::int8");
        assertFalse(unnamed.sameAs(longer, 1, longer.writerIndex()));
        unnamed.done(true);
        unnamed.dropped();
        assertEquals(2, unnamed.parsedAgain(null, null));
        assertTrue(unnamed.isDefined());
        assertSame(kept, unnamed.definition());
    }
}
