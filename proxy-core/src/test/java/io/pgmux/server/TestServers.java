package io.pgmux.server;

import io.netty.channel.Channel;
import java.util.Map;

/** Server connections for tests of the code around them, on a channel the test made. */
public final class TestServers {
    private TestServers() {
    }

    /** A server connection that uses {@code channel} as if it had logged in there; nothing is sent. */
    public static ServerConnection on(Channel channel, ServerEvents events) {
        ServerConnection server = new ServerConnection(1, new UpstreamTarget("127.0.0.1", 5432, "app", "app_user",
                null, Map.of()), events, 10);
        server.attachChannel(channel);
        return server;
    }
}
