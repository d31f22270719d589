package io.pgmux.testing;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * An event loop the test thread plays: code run through {@link #run} is "in" this loop (and in no other), tasks
 * given to it wait until {@link TestLoops#runAll} or {@link #runTasks}, and its timers follow a {@link Ticker}
 * the test advances. Several of them on one thread let a unit test interleave event loops deterministically.
 */
public final class TestLoop extends AbstractScheduledEventExecutor implements EventLoop {
    private final TestLoops group;
    private final String name;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final Promise<Void> termination = new DefaultPromise<>(this);
    private boolean shutDown;

    TestLoop(TestLoops group, String name) {
        super(group);
        this.group = group;
        this.name = name;
    }

    /** Runs {@code body} as this loop's thread would. */
    public void run(Runnable body) {
        TestLoop previous = group.playing(this);
        try {
            body.run();
        } finally {
            group.playing(previous);
        }
    }

    /**
     * Makes the calling thread this loop from now on, for code that drives a loop for its whole life (a
     * benchmark thread) instead of scene by scene with {@link #run}.
     */
    public void enter() {
        group.playing(this);
    }

    /** Runs the queued tasks and the timers due by the ticker, and those they queue; returns how many ran. */
    public int runTasks() {
        int[] ran = {0};
        run(() -> {
            Runnable due;
            while ((due = pollScheduledTask(getCurrentTimeNanos())) != null) {
                tasks.add(due);
            }
            Runnable each;
            while ((each = tasks.poll()) != null) {
                each.run();
                ran[0]++;
            }
        });
        return ran[0];
    }

    @Override
    public Ticker ticker() {
        return group.ticker();
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    @Override
    public boolean inEventLoop(Thread thread) {
        return group.isPlaying(this, thread);
    }

    @Override
    public EventLoop next() {
        return this;
    }

    @Override
    public EventLoopGroup parent() {
        return group;
    }

    @Override
    public ChannelFuture register(Channel channel) {
        return register(new DefaultChannelPromise(channel, this));
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
        promise.channel().unsafe().register(this, promise);
        return promise;
    }

    @Deprecated
    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
        channel.unsafe().register(this, promise);
        return promise;
    }

    @Override
    public boolean isShuttingDown() {
        return shutDown;
    }

    void stop() {
        if (!shutDown) {
            runTasks();
            shutDown = true;
            run(this::cancelScheduledTasks);
            termination.trySuccess(null);
        }
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        stop();
        return termination;
    }

    @Override
    public Future<?> terminationFuture() {
        return termination;
    }

    @Deprecated
    @Override
    public void shutdown() {
        stop();
    }

    @Override
    public boolean isShutdown() {
        return shutDown;
    }

    @Override
    public boolean isTerminated() {
        return shutDown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutDown;
    }

    @Override
    public String toString() {
        return name;
    }
}
