package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
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
    void aFailedParseLeavesNoneUnlessALaterOneWasSent() {
        parsed(parseBody("select 1"));
        long second = parsed(parseBody("selec"));
        unnamed.parseFailed(second);
        assertFalse(unnamed.isDefined());
        long third = parsed(parseBody("select 3"));
        unnamed.parseFailed(third - 1);
        assertTrue(unnamed.isDefined(), "the failure of an earlier Parse does not undo a later one");
    }

    @Test
    void aQueryDropsIt() {
        parsed(parseBody("select 1"));
        unnamed.drop();
        assertFalse(unnamed.isDefined());
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
        unnamed.drop();
        assertEquals(2, unnamed.parsedAgain(null, null));
        assertTrue(unnamed.isDefined());
        assertSame(kept, unnamed.definition());
    }
}
