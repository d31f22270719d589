package io.pgmux.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of PostgreSQL that holds back CancelRequests: a connection whose first packet is one is
 * kept open, its request unsent, until {@link #deliverCancels()}. Every other connection is relayed at once. It
 * lets a test decide when PostgreSQL receives a cancel relative to the queries around it.
 */
final class CancelHoldingRelay implements AutoCloseable {
    private static final int CANCEL_REQUEST_CODE = 80877102;

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final CountDownLatch deliver = new CountDownLatch(1);
    private final AtomicInteger held = new AtomicInteger();

    CancelHoldingRelay(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "cancel-holding-relay");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** CancelRequests received and not yet passed on. */
    int held() {
        return held.get();
    }

    /** Passes on every CancelRequest held so far and any that comes later. */
    void deliverCancels() {
        deliver.countDown();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread t = new Thread(() -> relay(client), "cancel-holding-relay-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void relay(Socket client) {
        try {
            byte[] first = new byte[8];
            new DataInputStream(client.getInputStream()).readFully(first);
            boolean cancel = ByteBuffer.wrap(first).getInt(4) == CANCEL_REQUEST_CODE;
            if (cancel) {
                held.incrementAndGet();
                deliver.await();
                held.decrementAndGet();
            }
            Socket server = new Socket(targetHost, targetPort);
            server.getOutputStream().write(first);
            pipe(server, client);
            pipe(client, server);
        } catch (IOException e) {
            closeQuietly(client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(client);
        }
    }

    private static void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side went away; closing both below ends the other direction too
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "cancel-holding-relay-pipe");
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
        deliver.countDown();
        listener.close();
    }
}
