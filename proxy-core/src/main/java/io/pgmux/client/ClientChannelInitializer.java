package io.pgmux.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.pgmux.codec.StartupPacketDecoder;

/**
 * The pipeline of an accepted client: the encryption negotiator (which answers SSLRequest and GSSENCRequest, puts an
 * SslHandler in its place when TLS starts, and removes itself), the startup-phase decoder (which removes itself once
 * the session starts), then the client handler, which cuts the typed messages that follow itself.
 */
public final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    /** The name of the client handler in the pipeline. */
    static final String CLIENT_HANDLER = "client";
    private final ClientServices services;

    public ClientChannelInitializer(ClientServices services) {
        this.services = services;
    }

    @Override
    protected void initChannel(Channel ch) {
        services.channels().add(ch);
        ch.pipeline().addLast(EncryptionNegotiator.NAME, new EncryptionNegotiator(services.clientTls().current()));
        ch.pipeline().addLast("startup", new StartupPacketDecoder());
        // Made here rather than when the channel becomes active, so the handler need not keep the services.
        ch.pipeline().addLast(CLIENT_HANDLER, new ClientHandler(new ClientConnection(ch, services)));
    }
}
