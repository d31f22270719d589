package io.pgmux.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class AutoReadTest {
    /** Counts the reads the channel is asked for. */
    private static final class Reads extends ChannelOutboundHandlerAdapter {
        int asked;

        @Override
        public void read(ChannelHandlerContext ctx) {
            asked++;
            ctx.read();
        }
    }

    @Test
    void switchingReadingBackOnAsksForAReadAndSettingItAgainChangesNothing() {
        Reads reads = new Reads();
        EmbeddedChannel channel = new EmbeddedChannel(reads);
        int atStart = reads.asked;

        AutoRead.set(channel, false);
        assertFalse(channel.config().isAutoRead());
        AutoRead.set(channel, false);
        assertFalse(channel.config().isAutoRead());
        assertEquals(atStart, reads.asked, "switching off asks for nothing");

        AutoRead.set(channel, true);
        assertTrue(channel.config().isAutoRead());
        assertEquals(atStart + 1, reads.asked, "switched back on, the channel reads again");
        AutoRead.set(channel, true);
        assertEquals(atStart + 1, reads.asked);
        channel.finishAndReleaseAll();
    }
}
