package io.pgmux.codec;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;

/**
 * A channel's reading switched on or off only where that changes it. Netty's {@code ChannelConfig.setAutoRead} swaps
 * its flag with an atomic read-modify-write on every call; pgmux sets it at every hand-off of a server (a client's
 * reading follows its server's writability, a server's its client's), nearly always to what it is already, and when
 * clients outnumber servers the flag's cache line is a cold one.
 */
public final class AutoRead {
    private AutoRead() {
    }

    /** Sets {@code channel}'s auto-read to {@code on}: a plain read when it is so already, else Netty's switch. */
    public static void set(Channel channel, boolean on) {
        ChannelConfig config = channel.config();
        if (config.isAutoRead() != on) {
            config.setAutoRead(on);
        }
    }
}
