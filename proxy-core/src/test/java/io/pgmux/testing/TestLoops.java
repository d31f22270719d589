package io.pgmux.testing;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A group of {@link TestLoop}s sharing one {@link MockTicker}: the event loops of a unit test, all played by the
 * test thread. {@link #next()} goes round them in order.
 */
public final class TestLoops extends AbstractEventExecutorGroup implements EventLoopGroup {
    private final MockTicker ticker = Ticker.newMockTicker();
    private final List<TestLoop> loops = new ArrayList<>();
    private final Promise<Void> termination = new DefaultPromise<>(GlobalEventExecutor.INSTANCE);
    private int next;
    // Which loop the test thread is playing now. The loops are single-threaded by design, so plain fields do:
    // any other thread asking is never in a loop.
    private Thread player;
    private TestLoop playing;

    public TestLoops(int count) {
        for (int i = 0; i < count; i++) {
            loops.add(new TestLoop(this, "loop" + i));
        }
    }

    /** The calling thread becomes {@code loop} (null: no loop); returns the loop it was playing. */
    TestLoop playing(TestLoop loop) {
        TestLoop previous = player == Thread.currentThread() ? playing : null;
        player = loop == null ? null : Thread.currentThread();
        playing = loop;
        return previous;
    }

    boolean isPlaying(TestLoop loop, Thread thread) {
        return playing == loop && player == thread;
    }

    public MockTicker ticker() {
        return ticker;
    }

    public int size() {
        return loops.size();
    }

    public TestLoop get(int index) {
        return loops.get(index);
    }

    /** Runs every loop's tasks until none is left; returns how many ran. */
    public int runAll() {
        int total = 0;
        int ran;
        do {
            ran = 0;
            for (TestLoop each : loops) {
                ran += each.runTasks();
            }
            total += ran;
        } while (ran > 0);
        return total;
    }

    /** Moves the clock on, then runs whatever that made due. */
    public void advance(long amount, TimeUnit unit) {
        ticker.advance(amount, unit);
        runAll();
    }

    @Override
    public EventLoop next() {
        TestLoop loop = loops.get(next);
        next = (next + 1) % loops.size();
        return loop;
    }

    @Override
    public Iterator<EventExecutor> iterator() {
        return new ArrayList<EventExecutor>(loops).iterator();
    }

    @Override
    public ChannelFuture register(Channel channel) {
        return next().register(channel);
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
        return next().register(promise);
    }

    @Deprecated
    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
        return next().register(channel, promise);
    }

    @Override
    public boolean isShuttingDown() {
        return termination.isDone();
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        for (TestLoop each : loops) {
            each.stop();
        }
        termination.trySuccess(null);
        return termination;
    }

    @Override
    public Future<?> terminationFuture() {
        return termination;
    }

    @Deprecated
    @Override
    public void shutdown() {
        shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    @Override
    public boolean isShutdown() {
        return termination.isDone();
    }

    @Override
    public boolean isTerminated() {
        return termination.isDone();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return termination.isDone();
    }
}
