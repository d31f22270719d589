package io.pgmux.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A router for the framer's tests that records what it is handed: an event per run and per message taken whole, the
 * bytes of each in order, and the buffers themselves until {@link #releaseAll}. Subclasses decide the routes.
 */
abstract class RecordingRouter implements MessageRouter {
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<ByteBuf> handed = new ArrayList<>();

    @Override
    public void run(ByteBuf run) {
        events.add("run " + run.readableBytes());
        take(run);
    }

    @Override
    public void message(ByteBuf message) {
        events.add("message " + (char) message.getByte(message.readerIndex()));
        take(message);
    }

    private void take(ByteBuf buf) {
        bytes.writeBytes(ByteBufUtil.getBytes(buf));
        handed.add(buf);
    }

    void releaseAll() {
        handed.forEach(ByteBuf::release);
    }
}
