package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;

/** The event loops the pools serve, numbered, so that each pool can keep one set of lists per loop. */
final class EventLoops {
    private final EventLoopGroup group;
    private final EventLoop[] loops;

    EventLoops(EventLoopGroup group) {
        this.group = group;
        List<EventLoop> all = new ArrayList<>();
        for (EventExecutor each : group) {
            all.add((EventLoop) each);
        }
        this.loops = all.toArray(new EventLoop[0]);
    }

    int size() {
        return loops.length;
    }

    EventLoop get(int index) {
        return loops[index];
    }

    /** The number of {@code loop}; a handful of loops, so a scan beats hashing. */
    int indexOf(EventLoop loop) {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i] == loop) {
                return i;
            }
        }
        throw new IllegalArgumentException(loop + " is not one of the pools' event loops");
    }

    /** A loop for work that belongs to none in particular, round robin. */
    EventLoop next() {
        return group.next();
    }
}
