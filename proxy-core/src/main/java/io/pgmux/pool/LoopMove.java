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
 * <p>Netty 4.2's io_uring channel needs the last step. Deregistering cancels its armed poll on the old ring, but
 * the channel keeps the mark that a read is pending, so the read that registering starts on the new ring is
 * taken as already under way and nothing is armed: the channel never reads again, and a server moved to its
 * client's loop would never be heard from (pgbench hung with two loops). Turning auto-read off and on drops the
 * mark and arms a poll on the new ring. Epoll and NIO register their interest again themselves.
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
        channel.deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess()) {
                moved.setSuccess(Outcome.CLOSED_BEFORE_LEAVING);
                return;
            }
            target.register(channel).addListener(registered -> {
                if (registered.isSuccess()) {
                    resumeReading(channel);
                    moved.setSuccess(Outcome.MOVED);
                } else {
                    moved.setSuccess(Outcome.CLOSED_BETWEEN_LOOPS);
                }
            });
        });
        return moved;
    }

    /** Runs on the channel's new loop, right after it registered there. */
    private static void resumeReading(Channel channel) {
        ChannelConfig config = channel.config();
        if (channel instanceof IoUringSocketChannel && config.isAutoRead()) {
            config.setAutoRead(false);
            config.setAutoRead(true);
        }
    }
}
