package io.pgmux.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A console session on a channel of its own, for the console's tests ({@link ConsoleChannel}): after a message
 * framer, hands frames and the close to the {@link AdminSession} and turns what the pipeline throws into a FATAL.
 * In pgmux itself the client handler does this for a console client ({@code ConsolePhase}).
 */
final class AdminHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

    private final AdminSession session;

    AdminHandler(AdminSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            session.frameReceived((ByteBuf) msg);
        } else {
            ReferenceCountUtil.release(msg);
            session.fail(PgError.fatal(SqlState.PROTOCOL_VIOLATION, "unexpected message for the admin console"));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.channelClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable error = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (error instanceof ProtocolException) {
            session.fail(PgError.fatal(SqlState.PROTOCOL_VIOLATION, "invalid frontend message: "
                    + error.getMessage()));
        } else if (error instanceof IOException) {
            log.debug("admin console connection {}: {}", ctx.channel().remoteAddress(), error.toString());
            session.channelClosed();
            ctx.close();
        } else {
            log.warn("admin console connection {}: internal error", ctx.channel().remoteAddress(), error);
            session.fail(PgError.fatal(SqlState.INTERNAL_ERROR, "pgmux internal error: " + error));
        }
    }
}
