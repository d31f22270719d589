package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.frontend.StartupPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin Netty adapter: hands a client channel's events and messages to its {@link ClientConnection}, and turns
 * anything thrown into a FATAL ErrorResponse for that client alone.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

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
        if (cause instanceof UnsupportedRequestException) {
            client.fail(((UnsupportedRequestException) cause).error());
        } else if (cause instanceof ProtocolException) {
            log.info("client {}: protocol violation: {}", client.describe(), cause.getMessage());
            client.fail(((ProtocolException) cause).error("invalid frontend message: "));
        } else if (cause instanceof java.io.IOException) {
            log.debug("client {}: {}", client.describe(), cause.toString());
            client.close(null);
        } else {
            log.warn("client {}: internal error", client.describe(), cause);
            client.fail(PgError.fatal(SqlState.INTERNAL_ERROR, "pgmux internal error: " + cause));
        }
    }
}
