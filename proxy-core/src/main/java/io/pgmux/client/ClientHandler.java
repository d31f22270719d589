package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.codec.MessageFramer;
import io.pgmux.protocol.frontend.StartupMessage;
import io.pgmux.protocol.frontend.StartupPacket;

/**
 * Thin Netty adapter: hands a client channel's events and messages to its {@link ClientConnection}, and turns
 * anything thrown into a FATAL ErrorResponse for that client alone. From the StartupMessage on it cuts the
 * client's typed messages itself, with a {@link MessageFramer} it owns rather than one in the pipeline: one pipeline
 * context fewer per client, and one pipeline step fewer per read. The framer hands it whole messages, and once a
 * pooled session forwards runs of bytes, runs and inspected messages ({@link MessageFramer.Owner}).
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements MessageFramer.Owner {
    private final ClientConnection client;
    /** Cuts the typed messages that follow the StartupMessage; made when it arrives. */
    private MessageFramer framer;

    ClientHandler(ClientConnection client) {
        this.client = client;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client.connected();
        ctx.fireChannelActive();
    }

    /** The client's message framer: null until the StartupMessage has arrived. */
    @Override
    public MessageFramer framer() {
        return framer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf) {
                framed(ctx, (ByteBuf) msg);
            } else {
                if (msg instanceof StartupMessage) {
                    // The typed protocol begins: a password message first, until the login moves the framer on.
                    int maxMessageSize = client.services().config().maxMessageSize();
                    framer = new MessageFramer(maxMessageSize, ExpectedMessages.PASSWORD_RESPONSE, this,
                            client.services().carryBudget());
                }
                client.startupPacket((StartupPacket) msg);
            }
        } catch (RuntimeException e) {
            failClient(e);
        }
    }

    /** Bytes after the StartupMessage (the startup decoder passes on what it read beyond it): cut into messages. */
    private void framed(ChannelHandlerContext ctx, ByteBuf bytes) {
        if (framer == null) {
            bytes.release();
            // What a startup decoder leaving a closed channel still held is dropped, as a closed client drops all.
            if (client.state() != ClientState.CLOSED) {
                throw new IllegalStateException("client bytes before its StartupMessage reached the client handler");
            }
            return;
        }
        framer.channelRead(ctx, bytes);
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
        if (framer != null) {
            framer.channelReadComplete(ctx); // which calls readComplete() below
        } else {
            client.readComplete();
        }
    }

    @Override
    public void readComplete() {
        client.readComplete();
    }

    @Override
    public void readFailed(Throwable cause) {
        failClient(cause);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        client.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (framer != null) {
            framer.inputEnded();
        }
        client.channelClosed();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (framer != null) {
            framer.discard();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failClient(cause);
    }

    /** Fails the client for {@code cause}, or for what a Netty decoder wrapped in it. */
    private void failClient(Throwable cause) {
        client.failed(cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
    }
}
