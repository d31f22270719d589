package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.codec.MessageFramer;
import io.pgmux.protocol.Bytes;
import io.pgmux.testing.ServerLinkAdapter;
import io.pgmux.testing.UnpooledSlot;
import java.util.Map;

/**
 * A logged-in {@link ServerConnection} on an in-memory channel, wired as in production (the framer forwarding runs
 * to the {@link ServerHandler}), linked to the test's client: the answer path, driven by hand with the backend's
 * messages written as PostgreSQL 15 sends them. Close it after each test: it flushes and releases what was written.
 */
final class WiredServer implements AutoCloseable {
    final EmbeddedChannel channel = new EmbeddedChannel();
    final ServerConnection server = new ServerConnection(1,
            new UpstreamTarget("127.0.0.1", 5432, "db", "user", null, Map.of()), new UnpooledSlot(), 10);
    final MessageFramer framer = new MessageFramer(1 << 20, ExpectedMessages.BACKEND);

    WiredServer(ServerLink client) {
        ServerHandler handler = new ServerHandler(server, Runnable::run);
        channel.pipeline().addLast(MessageFramer.NAME, framer).addLast(handler);
        server.attachChannel(channel);
        server.assumeLoggedIn();
        framer.forwardRuns(handler);
        server.link(client);
    }

    /** Client messages by type byte, bodiless (pgmux reads only the type of these). */
    void request(String tags) {
        for (char tag : tags.toCharArray()) {
            server.sendFromClient(Unpooled.buffer(5).writeByte(tag).writeInt(4));
        }
    }

    /** The backend's {@code messages}, in one read. */
    void answer(byte[]... messages) {
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(messages)));
    }

    /** Each of {@code reads} a read of its own. */
    void answerInReads(byte[]... reads) {
        for (byte[] read : reads) {
            channel.writeInbound(Unpooled.wrappedBuffer(read));
        }
    }

    @Override
    public void close() {
        if (channel.isOpen()) {
            channel.flushOutbound();
        }
        channel.finishAndReleaseAll();
    }

    /** A client that notes the type of every message the server passes it, in order. */
    static class TagsSeen extends ServerLinkAdapter {
        final StringBuilder tags = new StringBuilder();

        @Override
        public void serverMessage(ByteBuf run) {
            ByteBuf view = run.duplicate();
            while (view.readableBytes() >= 5) {
                tags.append((char) view.getByte(view.readerIndex()));
                view.skipBytes(Math.min(view.readableBytes(), view.getInt(view.readerIndex() + 1) + 1));
            }
            run.release();
        }
    }

    /** Backend messages the answer-path tests share, as PostgreSQL 15 sends them. */
    static final class Backend {
        static final byte[] COPY_IN = Bytes.message('G', Bytes.of().int8(0).int16(1).int16(0).build());
        static final byte[] COPY_1 = Bytes.message('C', Bytes.of().cstring("COPY 1").build());
        static final byte[] READY = Bytes.message('Z', Bytes.of().int8('I').build());
        static final byte[] PARSE_COMPLETE = Bytes.hex("31 00000004");
        static final byte[] BIND_COMPLETE = Bytes.hex("32 00000004");
        static final byte[] COPY_FAILED = Bytes.message('E', Bytes.of().int8('S').cstring("ERROR").int8('V')
                .cstring("ERROR").int8('C').cstring("57014").int8('M').cstring("COPY from stdin failed: gave up")
                .int8(0).build());

        private Backend() {
        }
    }
}
