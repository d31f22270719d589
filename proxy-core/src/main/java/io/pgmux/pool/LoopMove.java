package io.pgmux.pool;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * Moves a registered channel to another event loop of the same transport: deregisters it from its loop, registers
 * it with {@code target}, and makes sure it reads again there.
 *
 * <p>Netty 4.2's io_uring channel needs more than that. Its reads are operations submitted to the ring of its
 * loop; deregistering cancels them, but the channel keeps its marks of a read pending and a read scheduled, and a
 * move decided while it is reading (a server that just finished its login) even submits a new read on the old
 * ring as the cancel completes. Registered on the new ring, it then takes the read it should start as already
 * under way and never reads again: a server moved to its client's loop is never heard from, and pgbench hung
 * with two loops. So an io_uring channel stops reading before it leaves (auto-read off, on its own loop, which
 * cancels its reads and clears both marks) and starts again once registered on the new loop, where the new poll
 * finds whatever arrived in between. Epoll and NIO drop and re-add their interest with the registration itself.
 */
final class LoopMove {
    private LoopMove() {
    }

    /** How a move ended. */
    enum Outcome {
        /** Registered with the target loop and reading there. */
        MOVED,
        /** Closed before it left its loop, which reports the close as usual (channelInactive). */
        CLOSED_BEFORE_LEAVING,
        /** Closed while it belonged to no loop: no channelInactive will come. */
        CLOSED_BETWEEN_LOOPS
    }

    /**
     * Moves {@code channel} to {@code target}; the future completes, never exceptionally, once it is known where
     * the channel ended up. The channel must not be in use while it moves.
     */
    static Future<Outcome> move(Channel channel, EventLoop target) {
        Promise<Outcome> moved = target.newPromise();
        ChannelConfig config = channel.config();
        boolean pauseReading = channel instanceof IoUringSocketChannel && config.isAutoRead();
        Runnable leave = () -> {
            if (pauseReading) {
                config.setAutoRead(false);
            }
            channel.deregister().addListener(deregistered -> {
                if (!deregistered.isSuccess()) {
                    moved.setSuccess(Outcome.CLOSED_BEFORE_LEAVING);
                    return;
                }
                target.register(channel).addListener(registered -> {
                    if (!registered.isSuccess()) {
                        moved.setSuccess(Outcome.CLOSED_BETWEEN_LOOPS);
                        return;
                    }
                    if (pauseReading) {
                        config.setAutoRead(true);
                    }
                    moved.setSuccess(Outcome.MOVED);
                });
            });
        };
        EventLoop current = channel.eventLoop();
        if (current.inEventLoop()) {
            leave.run();
        } else {
            current.execute(leave);
        }
        return moved;
    }
}
