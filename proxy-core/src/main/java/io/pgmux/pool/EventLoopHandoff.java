package io.pgmux.pool;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pgmux.server.ServerConnection;

/**
 * Moves a server connection to the event loop of the client it was handed to, so that the linked pair runs on
 * one thread and needs no locks. Idle servers on the client's own loop are preferred, so most hand-offs need no
 * move at all.
 */
final class EventLoopHandoff {
    private EventLoopHandoff() {
    }

    /**
     * Gives {@code server} to {@code client} on the client's loop. A server on another loop waits on its pool's
     * list of servers being handed over until it is registered there, then joins that loop's active list.
     */
    static void deliver(ServerConnection server, PoolClient client, PoolCore core) {
        EventLoop target = client.eventLoop();
        Channel channel = server.channel();
        if (channel.eventLoop() == target) {
            if (target.inEventLoop()) {
                client.serverAssigned(server);
            } else {
                target.execute(() -> client.serverAssigned(server));
            }
            return;
        }
        LoopMove.move(channel, target).addListener(moved -> runOn(target, () -> {
            switch ((LoopMove.Outcome) moved.getNow()) {
                case MOVED -> core.arrived(server, target);
                // No channelInactive will come, so tell the pool here.
                case CLOSED_BETWEEN_LOOPS -> server.closedWhileMoving();
                // Its own loop reports the close; the client finds the server unusable.
                case CLOSED_BEFORE_LEAVING -> { }
            }
            client.serverAssigned(server);
        }));
    }

    private static void runOn(EventLoop loop, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
