package io.pgmux.testing;

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
 * A connected socket without a kernel, for a {@link TestLoop}: what is written and flushed is kept for the test
 * to take ({@link #readOutbound}) or drop ({@link #releaseOutbound}); the peer's bytes are fed with
 * {@code pipeline().fireChannelRead}. It may move between loops (deregister, register), as a server does. Writes go
 * through Netty's outbound buffer as on a real socket, so write and flush costs are those of production (the JMH
 * benchmarks drive the proxy through these channels).
 */
public final class TestChannel extends AbstractChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);
    private static final SocketAddress PEER = InetSocketAddress.createUnresolved("peer", 1);

    private final ChannelConfig config = new DefaultChannelConfig(this) {
        @Override
        public <T> boolean setOption(ChannelOption<T> option, T value) {
            // Socket options mean nothing here; accepting them keeps the connector from warning on every connect.
            return option == ChannelOption.TCP_NODELAY || option == ChannelOption.SO_KEEPALIVE
                    || super.setOption(option, value);
        }
    };
    private final ArrayDeque<Object> written = new ArrayDeque<>();
    private final boolean activeOnConnect;
    private boolean open = true;
    private boolean connected;

    /** An accepted socket: active once registered; a connect succeeds at once. */
    public TestChannel() {
        this(true, false);
    }

    private TestChannel(boolean connected, boolean activeOnConnect) {
        super(null);
        this.connected = connected;
        this.activeOnConnect = activeOnConnect;
    }

    /**
     * A socket for a connector to connect: inactive until {@code connect}, which makes it active and fires
     * channelActive, as a real client socket does when the handshake completes.
     */
    public static TestChannel unconnected() {
        return new TestChannel(false, true);
    }

    /** The oldest message flushed and not yet taken, or null; the caller releases it. */
    public Object readOutbound() {
        return written.poll();
    }

    /** Releases whatever was written and not taken. */
    public void releaseOutbound() {
        Object each;
        while ((each = written.poll()) != null) {
            ReferenceCountUtil.release(each);
        }
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
                connected = true;
                promise.trySuccess();
                if (activeOnConnect) {
                    pipeline().fireChannelActive();
                }
            }
        };
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof TestLoop;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        Object msg;
        while ((msg = in.current()) != null) {
            written.add(ReferenceCountUtil.retain(msg));
            in.remove();
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
