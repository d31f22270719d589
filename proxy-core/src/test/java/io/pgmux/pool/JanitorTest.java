package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JanitorTest {
    /**
     * Closing pgmux cuts short the logins in progress; their failures open the circuit and ask for a probe, on
     * event loops that are already stopping. That must not throw: Netty refuses the task.
     */
    @Test
    void aProbeAskedForWhileTheLoopsStopIsDropped() {
        // A real loop: a stopped one refuses tasks, as the transports' loops do.
        EventLoopGroup loops = new DefaultEventLoopGroup(1);
        PoolLock lock = new PoolLock();
        PoolCore core = new PoolCore(lock, Ticker.systemTicker(), new EventLoops(loops));
        Janitor janitor = new Janitor(lock, Ticker.systemTicker(), new EventLoops(loops), null, core);
        CircuitBreaker breaker = new CircuitBreaker("db", Duration.ofMillis(500));
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();

        assertDoesNotThrow(() -> janitor.probeLater(breaker, TimeUnit.MILLISECONDS.toNanos(1)));
    }
}
