package io.pgmux.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.pgmux.codec.MessageFramer;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;

/**
 * The bytes the decoders of a pipeline hold between reads: what a peer can make pgmux keep by sending part of a
 * message. Read through ByteToMessageDecoder's protected {@code internalBuffer()}, the decoder's own account of
 * its cumulation, and the message framer's {@link MessageFramer#carriedBytes()} (in the pipeline, or inside the
 * handler that owns it).
 */
final class HeldBytes {
    private static final MethodHandle INTERNAL_BUFFER;

    static {
        try {
            INTERNAL_BUFFER = MethodHandles.privateLookupIn(ByteToMessageDecoder.class, MethodHandles.lookup())
                    .findVirtual(ByteToMessageDecoder.class, "internalBuffer", MethodType.methodType(ByteBuf.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private HeldBytes() {
    }

    /** The largest cumulation of any decoder in the pipeline, and the decoder holding it. */
    static Held largest(ChannelPipeline pipeline) {
        Held largest = new Held("none", 0);
        for (Map.Entry<String, ChannelHandler> each : pipeline) {
            ChannelHandler handler = each.getValue();
            if (handler instanceof MessageFramer.Owner && ((MessageFramer.Owner) handler).framer() != null) {
                handler = ((MessageFramer.Owner) handler).framer(); // the client handler frames its own input
            }
            int held = handler instanceof ByteToMessageDecoder ? of((ByteToMessageDecoder) handler)
                    : handler instanceof MessageFramer ? of((MessageFramer) handler) : -1;
            if (held > largest.bytes()) {
                largest = new Held(handler.getClass().getSimpleName(), held);
            }
        }
        return largest;
    }

    static int of(MessageFramer framer) {
        return framer.carriedBytes();
    }

    static int of(ByteToMessageDecoder decoder) {
        try {
            return ((ByteBuf) INTERNAL_BUFFER.invoke(decoder)).readableBytes();
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read the cumulation of " + decoder, e);
        }
    }

    record Held(String decoder, int bytes) {
    }
}
