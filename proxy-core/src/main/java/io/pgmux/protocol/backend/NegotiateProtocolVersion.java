package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgBuffers;
import java.util.List;

/**
 * NegotiateProtocolVersion: tells a client that asked for a newer minor version (3.2) or for protocol options
 * ({@code _pq_.*}) which minor version pgmux speaks and which options it did not recognise.
 */
public record NegotiateProtocolVersion(int newestMinorVersion, List<String> unrecognizedOptions) {
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(32);
        int lengthIndex = PgBuffers.beginMessage(out, BackendTag.NEGOTIATE_PROTOCOL_VERSION);
        out.writeInt(newestMinorVersion);
        out.writeInt(unrecognizedOptions.size());
        for (String each : unrecognizedOptions) {
            PgBuffers.writeCString(out, each);
        }
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
