package io.pgmux.bench;

import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * A socket without a kernel: what the proxy writes and flushes is kept for the benchmark to take with
 * {@link #readOutbound()}; what the peer sends is fed with {@code pipeline().fireChannelRead}. Writes go through
 * Netty's outbound buffer as on a real socket, so the proxy's write and flush costs are measured as they are.
 */
final class MemoryChannel extends AbstractChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);
    private static final SocketAddress PEER = InetSocketAddress.createUnresolved("peer", 1);

    private final ChannelConfig config = new DefaultChannelConfig(this) {
        @Override
        public <T> boolean setOption(ChannelOption<T> option, T value) {
            // Socket options mean nothing here; accepting them keeps the connector from warning on every run.
            return option == ChannelOption.TCP_NODELAY || option == ChannelOption.SO_KEEPALIVE
                    || super.setOption(option, value);
        }
    };
    private final ArrayDeque<Object> written = new ArrayDeque<>();
    private boolean open = true;
    private boolean connected;

    /** @param connected true for an accepted client socket; false for one the connector will connect */
    MemoryChannel(boolean connected) {
        super(null);
        this.connected = connected;
    }

    /** The oldest message flushed and not yet taken, or null; the caller releases it. */
    Object readOutbound() {
        return written.poll();
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
                connected = true;
                promise.trySuccess();
                pipeline().fireChannelActive();
            }
        };
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof InlineEventLoop;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        Object msg;
        while ((msg = in.current()) != null) {
            // The outbound buffer releases what it removes; the bytes stay readable until the benchmark takes them.
            written.add(ReferenceCountUtil.retain(msg));
            in.remove();
        }
    }

    /** Releases whatever was written and not taken; for closing down. */
    void releaseOutbound() {
        Object each;
        while ((each = written.poll()) != null) {
            ReferenceCountUtil.release(each);
        }
    }

    @Override
    protected void doClose() {
        open = false;
        connected = false;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doBeginRead() {
    }

    @Override
    protected SocketAddress localAddress0() {
        return PEER;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return PEER;
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && connected;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }
}
