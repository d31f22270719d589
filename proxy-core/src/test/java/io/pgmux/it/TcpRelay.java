package io.pgmux.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of PostgreSQL that counts the connections pgmux opens. With the database stopped it
 * still accepts and then closes each connection at once, so every connect attempt pgmux makes while the
 * database is down is seen and counted. {@link #cut} makes the database go away without stopping it.
 */
final class TcpRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;
    private final Set<Socket> relayed = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    TcpRelay(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "tcp-relay");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Until {@link #restore}: closes every relayed connection, and each new one as soon as it is accepted. */
    void cut() {
        cut = true;
        relayed.forEach(TcpRelay::closeQuietly);
    }

    void restore() {
        cut = false;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (cut) {
                closeQuietly(client);
                continue;
            }
            Socket server;
            try {
                server = new Socket(targetHost, targetPort);
            } catch (IOException refused) {
                closeQuietly(client);
                continue;
            }
            relayed.add(client);
            relayed.add(server);
            pipe(client, server);
            pipe(server, client);
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side went away; closing both below ends the other direction too
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                relayed.remove(from);
                relayed.remove(to);
            }
        }, "tcp-relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
