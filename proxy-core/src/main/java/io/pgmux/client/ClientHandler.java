package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.pgmux.codec.MessageRouter;
import io.pgmux.protocol.frontend.StartupPacket;

/**
 * Thin Netty adapter: hands a client channel's events and messages to its {@link ClientConnection}, and turns
 * anything thrown into a FATAL ErrorResponse for that client alone. Once a pooled session forwards runs of bytes,
 * the framer hands them here as a {@link MessageRouter}.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements MessageRouter {
    private final ClientServices services;
    private ClientConnection client;

    ClientHandler(ClientServices services) {
        this.services = services;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = new ClientConnection(ctx.channel(), services);
        client.connected();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf) {
                client.frameReceived((ByteBuf) msg);
            } else {
                client.startupPacket((StartupPacket) msg);
            }
        } catch (RuntimeException e) {
            failClient(e);
        }
    }

    @Override
    public Route route(byte tag, int length) {
        return client.route(tag, length);
    }

    @Override
    public Route inspect(ByteBuf frame) {
        try {
            return client.inspect(frame);
        } catch (RuntimeException e) {
            failClient(e);
            return Route.TAKE; // handed over whole to a closed client, which drops it
        }
    }

    @Override
    public int replaceHead(ByteBuf frame) {
        try {
            return client.replaceHead(frame);
        } catch (RuntimeException e) {
            failClient(e);
            return frame.readerIndex(); // the whole message goes on in a run, which the closed client drops
        }
    }

    @Override
    public void passed(ByteBuf buffer, int index) {
        throw new IllegalStateException("a client message passed to be read in place");
    }

    @Override
    public void run(ByteBuf bytes) {
        try {
            client.run(bytes);
        } catch (RuntimeException e) {
            failClient(e);
        }
    }

    @Override
    public void message(ByteBuf message) {
        try {
            client.frameReceived(message);
        } catch (RuntimeException e) {
            failClient(e);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        client.readComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        client.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        client.channelClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failClient(cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
    }

    private void failClient(Throwable cause) {
        client.failed(cause);
    }
}
