package io.pgmux.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Finds a TCP port on 127.0.0.1 that is free right now. */
public final class FreePort {

    private FreePort() {
    }

    /**
     * Returns a port the OS just handed out for 127.0.0.1. Another process may grab it before the
     * caller binds it, so callers that can detect a bind failure should retry with a new port.
     */
    public static int find() {
        try (ServerSocket socket = new ServerSocket()) {
            // Without SO_REUSEADDR the port can linger in TIME_WAIT and refuse the real bind.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on the loopback interface", e);
        }
    }
}
