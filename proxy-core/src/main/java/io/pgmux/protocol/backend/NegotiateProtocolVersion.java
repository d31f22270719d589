package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgBuffers;
import java.util.List;

/**
 * NegotiateProtocolVersion: tells a client that asked for a newer minor version (3.2) or for protocol options
 * ({@code _pq_.*}) which version pgmux speaks and which options it did not recognise.
 *
 * @param newestVersion the newest protocol version supported for the major version the client asked for, as a
 *     whole version number (major in the high 16 bits, minor in the low 16): 196608 for 3.0. The protocol
 *     docs call the field "newest minor protocol version", but PostgreSQL sends, and libpq reads, the whole
 *     number (PG_PROTOCOL_LATEST).
 * @param unrecognizedOptions the {@code _pq_.} options of the StartupMessage that are not supported
 */
public record NegotiateProtocolVersion(int newestVersion, List<String> unrecognizedOptions) {
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(32);
        int lengthIndex = PgBuffers.beginMessage(out, BackendTag.NEGOTIATE_PROTOCOL_VERSION);
        out.writeInt(newestVersion);
        out.writeInt(unrecognizedOptions.size());
        for (String each : unrecognizedOptions) {
            PgBuffers.writeCString(out, each);
        }
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
