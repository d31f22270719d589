package io.pgmux.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.pgmux.codec.StartupPacketDecoder;

/**
 * The pipeline of an accepted client: startup-phase decoder (replaced by the message framer once the session
 * starts), then the client handler. A TLS handler will go in front of the decoder.
 */
public final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    private final ClientServices services;

    public ClientChannelInitializer(ClientServices services) {
        this.services = services;
    }

    @Override
    protected void initChannel(Channel ch) {
        services.channels().add(ch);
        ch.pipeline().addLast("startup", new StartupPacketDecoder(services.config().maxMessageSize()));
        ch.pipeline().addLast("client", new ClientHandler(services));
    }
}
