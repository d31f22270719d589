package io.pgmux.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.codec.MessageFramer;

/**
 * The first step of a server connection, between the TCP connect and the StartupMessage: where the connection
 * to the database is secured before the login begins. With libpq's sslmode semantics, this is where an
 * SSLRequest is sent and, on {@code 'S'}, an SslHandler put in front (protocol docs, "SSL Session Encryption").
 *
 * <p>pgmux does not encrypt server connections yet (sslmode disable), so the step ends as soon as the
 * connection is up. Ending it installs the message framer in this handler's place (the typed protocol starts
 * only now: a server's answer to an SSLRequest is a single untyped byte) and passes the channel's activation on
 * to the {@link ServerHandler}, which starts the login with the StartupMessage.
 */
final class UpstreamEncryptionNegotiator extends ChannelInboundHandlerAdapter {
    static final String NAME = "encryption";

    private final int maxMessageSize;

    /** @param maxMessageSize the framer's limit once the login starts */
    UpstreamEncryptionNegotiator(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // sslmode disable: nothing to negotiate.
        startLogin(ctx);
    }

    /** The transport is settled: frame the server's messages and let the login begin. */
    private void startLogin(ChannelHandlerContext ctx) {
        ctx.pipeline().replace(this, MessageFramer.NAME, new MessageFramer(maxMessageSize, ExpectedMessages.BACKEND));
        ctx.fireChannelActive();
    }
}
