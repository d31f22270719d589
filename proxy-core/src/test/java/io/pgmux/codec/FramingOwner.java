package io.pgmux.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgmux.protocol.frontend.StartupMessage;

/**
 * Stands in for the client handler behind the {@link StartupPacketDecoder}: from the StartupMessage on it cuts what
 * follows with a {@link MessageFramer} it owns, expecting a password response, and passes every packet, message
 * and failure on down the pipeline, where the test reads them.
 */
final class FramingOwner extends ChannelInboundHandlerAdapter implements MessageFramer.Owner {
    private final int maxMessageSize;
    private ChannelHandlerContext ctx;
    private MessageFramer framer;
    /** Read-completes the framer passed on. */
    int readsCompleted;

    FramingOwner(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public MessageFramer framer() {
        return framer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        ctx = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (msg instanceof ByteBuf) {
            framer.channelRead(context, msg); // a violation propagates: Netty hands it to exceptionCaught
            return;
        }
        if (msg instanceof StartupMessage) {
            framer = new MessageFramer(maxMessageSize, ExpectedMessages.PASSWORD_RESPONSE, this);
        }
        context.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (framer != null) {
            framer.channelReadComplete(context);
        } else {
            context.fireChannelReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (framer != null) {
            framer.inputEnded();
        }
        context.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        if (framer != null) {
            framer.discard();
        }
    }

    @Override
    public Route route(byte tag, int length) {
        return Route.TAKE;
    }

    @Override
    public void run(ByteBuf bytes) {
        ctx.fireChannelRead(bytes);
    }

    @Override
    public void passed(ByteBuf buffer, int index) {
        throw new IllegalStateException("nothing is passed to be read here");
    }

    @Override
    public void message(ByteBuf message) {
        ctx.fireChannelRead(message);
    }

    @Override
    public void readComplete() {
        readsCompleted++;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void readFailed(Throwable cause) {
        ctx.fireExceptionCaught(cause);
    }
}
