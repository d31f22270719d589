package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeywordsTest {
    private final Keywords keywords = new Keywords("advisory_lock", "temp", "prepare");

    private boolean found(String text) {
        ByteBuf buf = Unpooled.copiedBuffer("##" + text + "##", StandardCharsets.UTF_8);
        try {
            // Only the middle counts: the markers around it must not be read.
            return keywords.foundIn(buf, 2, buf.writerIndex() - 2);
        } finally {
            buf.release();
        }
    }

    @Test
    void findsAWordAnywhereInAnyCase() {
        assertTrue(found("select pg_ADVISORY_LOCK(1)"));
        assertTrue(found("CREATE TEMP TABLE t (x int)"));
        assertTrue(found("temp"));
        assertTrue(found("x prepare"));
    }

    @Test
    void aPartialMatchDoesNotHideAnOverlappingOne() {
        assertTrue(found("preprepare"));
        assertTrue(found("tetemp"));
        assertTrue(found("advisory_advisory_lock"));
    }

    @Test
    void findsNothingWhereNoWordIsWhole() {
        assertFalse(found("select abalance from pgbench_accounts where aid = $1"));
        assertFalse(found("tem"));
        assertFalse(found("prepar"));
        assertFalse(found(""));
    }

    @Test
    void looksOnlyInsideTheRange() {
        ByteBuf buf = Unpooled.copiedBuffer("temp select 1", StandardCharsets.US_ASCII);
        try {
            assertFalse(keywords.foundIn(buf, 4, buf.writerIndex()));
            assertTrue(keywords.foundIn(buf, 0, 4));
        } finally {
            buf.release();
        }
    }
}
