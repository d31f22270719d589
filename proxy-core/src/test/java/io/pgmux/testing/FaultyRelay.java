package io.pgmux.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP relay on 127.0.0.1 that injects network faults between two peers (pgmux and PostgreSQL, or a client and
 * pgmux), on demand and while traffic flows:
 * <ul>
 *   <li>{@link #latency}: each chunk is held this long before it is passed on, in both directions;</li>
 *   <li>{@link #bandwidth}: at most this many bytes per second per direction of each connection;</li>
 *   <li>{@link #reset}: every relayed connection is reset (RST to both peers, through SO_LINGER 0), as when a
 *       firewall or a crashed host drops a connection;</li>
 *   <li>{@link #resetAfter}: the first connection that carries so many more bytes in one direction is reset
 *       there, which puts a reset in the middle of a COPY or a large result;</li>
 *   <li>{@link #blackHole}: nothing is passed on any more and nothing is closed; new connections are accepted
 *       and then ignored, as when a host vanishes from the network without a trace;</li>
 *   <li>{@link #stall}: one direction is no longer read, so the sender's socket buffers fill and it must wait,
 *       as with a peer that stops reading (a stuck or very slow client);</li>
 *   <li>{@link #heal}: back to passing bytes on (connections that lost bytes in the hole are reset, since their
 *       streams can no longer be valid).</li>
 * </ul>
 * One thread per direction of each connection; everything stops with {@link #close}.
 */
public final class FaultyRelay implements AutoCloseable {
    /** A direction of traffic through the relay. */
    public enum Direction { TO_UPSTREAM, TO_DOWNSTREAM }

    private final ServerSocket listener;
    private final String upstreamHost;
    private final int upstreamPort;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private final List<Socket> ignored = new ArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicLong[] forwarded = {new AtomicLong(), new AtomicLong()};
    private final AtomicReference<Trigger> trigger = new AtomicReference<>();
    private volatile long latencyNanos;
    private volatile long bytesPerSecond;
    private volatile boolean blackHole;
    private final boolean[] stalled = new boolean[2];

    /** Relays connections made to {@link #port()} to {@code upstreamHost:upstreamPort}. */
    public FaultyRelay(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "faulty-relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far, relayed or not. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections relayed now. */
    public int open() {
        return pairs.size();
    }

    /** Connections this relay has reset so far. */
    public int resets() {
        return resets.get();
    }

    /** Bytes passed on so far in one direction. */
    public long forwarded(Direction direction) {
        return forwarded[direction.ordinal()].get();
    }

    /** Holds each chunk this long before passing it on; zero for none. */
    public void latency(Duration perChunk) {
        latencyNanos = perChunk.toNanos();
    }

    /** Limits each direction of each connection to this rate; zero for no limit. */
    public void bandwidth(long bytesPerSecondPerDirection) {
        bytesPerSecond = bytesPerSecondPerDirection;
    }

    /** Resets every relayed connection now; returns how many. */
    public int reset() {
        int count = 0;
        for (Pair each : pairs) {
            if (each.reset()) {
                count++;
            }
        }
        return count;
    }

    /**
     * Arms a reset: the first connection through which {@code bytes} more bytes pass in {@code direction} (from
     * now, counted per connection) is reset at that point, before those bytes are passed on. One shot.
     */
    public void resetAfter(Direction direction, long bytes) {
        trigger.set(new Trigger(direction, bytes));
    }

    /** Whether an armed {@link #resetAfter} has fired. */
    public boolean triggered() {
        Trigger armed = trigger.get();
        return armed != null && armed.fired;
    }

    /** Swallows everything from now on, closing nothing; new connections are accepted and ignored. */
    public void blackHole() {
        blackHole = true;
    }

    /** Stops reading in one direction until {@link #heal}: the sender sees a peer that does not read. */
    public void stall(Direction direction) {
        synchronized (stalled) {
            stalled[direction.ordinal()] = true;
        }
    }

    /** Passes bytes on again: stalled directions are read again; connections whose bytes went into the hole are reset. */
    public void heal() {
        synchronized (stalled) {
            stalled[0] = false;
            stalled[1] = false;
            stalled.notifyAll();
        }
        blackHole = false;
        for (Pair each : pairs) {
            if (each.swallowed) {
                each.reset();
            }
        }
        synchronized (ignored) {
            ignored.forEach(FaultyRelay::resetQuietly);
            ignored.clear();
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket downstream;
            try {
                downstream = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (blackHole) {
                synchronized (ignored) {
                    ignored.add(downstream);
                }
                continue;
            }
            Thread connector = new Thread(() -> connect(downstream), "faulty-relay-connect");
            connector.setDaemon(true);
            connector.start();
        }
    }

    private void connect(Socket downstream) {
        Socket upstream;
        try {
            upstream = new Socket(upstreamHost, upstreamPort);
            upstream.setTcpNoDelay(true);
            downstream.setTcpNoDelay(true);
        } catch (IOException refused) {
            resetQuietly(downstream); // as the peer would see a refused connection: at once
            return;
        }
        Pair pair = new Pair(downstream, upstream);
        pairs.add(pair);
        pair.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        pairs.forEach(Pair::reset);
        synchronized (ignored) {
            ignored.forEach(FaultyRelay::resetQuietly);
            ignored.clear();
        }
    }

    /** Closes with RST rather than FIN: SO_LINGER with a zero timeout discards what is unsent and resets. */
    static void resetQuietly(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignoredAlreadyClosed) {
            // closed already
        }
        try {
            socket.close();
        } catch (IOException ignoredAlreadyClosed) {
            // closed already
        }
    }

    private static final class Trigger {
        final Direction direction;
        final long bytes;
        volatile boolean fired;

        Trigger(Direction direction, long bytes) {
            this.direction = direction;
            this.bytes = bytes;
        }
    }

    /** One relayed connection: the peer that connected to the relay, and the relay's connection upstream. */
    private final class Pair {
        final Socket downstream;
        final Socket upstream;
        final AtomicLong[] sinceArmed = {new AtomicLong(), new AtomicLong()};
        private final AtomicInteger pumpsLeft = new AtomicInteger(2);
        private Trigger seenTrigger;
        volatile boolean swallowed;
        private volatile boolean closed;

        Pair(Socket downstream, Socket upstream) {
            this.downstream = downstream;
            this.upstream = upstream;
        }

        void start() {
            pump(downstream, upstream, Direction.TO_UPSTREAM);
            pump(upstream, downstream, Direction.TO_DOWNSTREAM);
        }

        synchronized boolean reset() {
            if (closed) {
                return false;
            }
            closed = true;
            resetQuietly(downstream);
            resetQuietly(upstream);
            pairs.remove(this);
            resets.incrementAndGet();
            return true;
        }

        private synchronized void closeGracefully() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                downstream.close();
                upstream.close();
            } catch (IOException ignoredAlreadyClosed) {
                // closed already
            }
            pairs.remove(this);
        }

        /** Whether passing {@code n} more bytes in {@code direction} reaches the armed trigger. */
        private boolean triggers(Direction direction, int n) {
            Trigger armed = trigger.get();
            if (armed == null || armed.fired || armed.direction != direction) {
                return false;
            }
            synchronized (this) {
                if (seenTrigger != armed) {
                    seenTrigger = armed;
                    sinceArmed[0].set(0);
                    sinceArmed[1].set(0);
                }
            }
            if (sinceArmed[direction.ordinal()].addAndGet(n) < armed.bytes) {
                return false;
            }
            synchronized (armed) {
                if (armed.fired) {
                    return false;
                }
                armed.fired = true;
                return true;
            }
        }

        private void pump(Socket from, Socket to, Direction direction) {
            Thread pump = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    while (true) {
                        awaitNotStalled(direction);
                        int n = in.read(buffer);
                        if (n < 0) {
                            break;
                        }
                        if (blackHole) {
                            swallowed = true;
                            continue;
                        }
                        if (triggers(direction, n)) {
                            reset();
                            return;
                        }
                        pace(n);
                        out.write(buffer, 0, n);
                        forwarded[direction.ordinal()].addAndGet(n);
                    }
                } catch (IOException e) {
                    // a peer went away or the pair was reset; the other pump ends through the close below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    if (pumpsLeft.decrementAndGet() >= 0) {
                        closeGracefully();
                    }
                }
            }, "faulty-relay-" + direction);
            pump.setDaemon(true);
            pump.start();
        }

        private void awaitNotStalled(Direction direction) throws InterruptedException {
            synchronized (stalled) {
                while (stalled[direction.ordinal()] && !closed) {
                    stalled.wait(100);
                }
            }
        }

        private void pace(int n) throws InterruptedException {
            long latency = latencyNanos;
            long rate = bytesPerSecond;
            long waitNanos = latency + (rate > 0 ? n * 1_000_000_000L / rate : 0);
            if (waitNanos > 0) {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            }
        }
    }
}
