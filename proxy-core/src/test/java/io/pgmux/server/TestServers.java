package io.pgmux.server;

import io.netty.channel.Channel;
import io.pgmux.protocol.PgError;
import java.util.List;
import java.util.Map;

/** Server connections for tests of the code around them, on a channel the test made. */
public final class TestServers {
    private TestServers() {
    }

    /**
     * A server connection that uses {@code channel} as if it had logged in there and been lent to a client;
     * nothing is sent. What it reports to its owner is added to {@code events}: "connected", "loginSucceeded",
     * "loginFailed", "closed".
     */
    public static ServerConnection lentOn(Channel channel, List<String> events) {
        RecordingSlot slot = new RecordingSlot(events);
        ServerConnection server = new ServerConnection(1, new UpstreamTarget("127.0.0.1", 5432, "app", "app_user",
                null, Map.of()), slot, 10);
        server.attachChannel(channel);
        server.assumeLoggedIn();
        slot.lend();
        return server;
    }

    private static final class RecordingSlot extends ServerSlot {
        private final List<String> events;

        RecordingSlot(List<String> events) {
            this.events = events;
        }

        void lend() {
            changeState(ServerState.LOGIN);
            changeState(ServerState.ACTIVE);
        }

        @Override
        public void connected(ServerConnection server) {
            events.add("connected");
        }

        @Override
        public void loginSucceeded(ServerConnection server) {
            events.add("loginSucceeded");
        }

        @Override
        public void loginFailed(ServerConnection server, PgError error, boolean retryable) {
            events.add("loginFailed");
        }

        @Override
        public void closed(ServerConnection server, PgError reason) {
            events.add("closed");
            changeState(ServerState.CLOSED);
        }
    }
}
