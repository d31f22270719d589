package io.pgmux.testing;

import io.pgmux.config.ConfigLoader;
import io.pgmux.config.ListenConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.runtime.PgmuxServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * pgmux in a JVM of its own, for tests that need what an in-process fixture cannot give, such as its log at
 * another level: {@code PgmuxMain <config.yaml>} listens on 127.0.0.1 on a port the OS picks, prints
 * {@code LISTENING <port>} on standard output, and runs until standard input closes.
 */
public final class PgmuxMain {
    private PgmuxMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        PgmuxConfig loaded = ConfigLoader.load(Path.of(args[0]));
        PgmuxConfig config = loaded.withListen(new ListenConfig("127.0.0.1", 0))
                .withMetrics(loaded.metrics().withPort(0));
        try (PgmuxServer server = new PgmuxServer(config)) {
            InetSocketAddress address = server.start();
            System.out.println("LISTENING " + address.getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the parent closes our standard input (or dies)
            }
        }
    }
}
