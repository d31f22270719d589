package io.pgmux.bench;

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
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * An event loop that is the benchmark thread itself: whoever calls into a channel registered here is "in the
 * loop", so the proxy runs exactly as on its I/O thread, with no hand-off. Tasks it is given wait until
 * {@link #runTasks()}; scheduled ones (timeouts) never run. Netty's EmbeddedEventLoop cannot serve here because
 * the proxy's connector resolves addresses, which needs a loop with a termination future.
 */
final class InlineEventLoop extends AbstractScheduledEventExecutor implements EventLoop {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final Promise<Void> termination = new DefaultPromise<>(this);
    private boolean shutDown;

    /** Runs the tasks queued so far (and those they queue); returns how many ran. */
    int runTasks() {
        int ran = 0;
        Runnable each;
        while ((each = tasks.poll()) != null) {
            each.run();
            ran++;
        }
        return ran;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    @Override
    public boolean inEventLoop(Thread thread) {
        return true;
    }

    @Override
    public EventLoop next() {
        return this;
    }

    @Override
    public EventLoopGroup parent() {
        return null;
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

    /** Runs what is queued, drops the timers, and completes the termination future. */
    void stop() {
        if (!shutDown) {
            shutDown = true;
            runTasks();
            cancelScheduledTasks();
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
}
