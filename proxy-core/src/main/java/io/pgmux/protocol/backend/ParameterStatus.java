package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgBuffers;

/** ParameterStatus: the current value of a reported run-time parameter (client_encoding, TimeZone ...). */
public record ParameterStatus(String name, String value) {
    public static ParameterStatus decode(ByteBuf body) {
        return new ParameterStatus(PgBuffers.readCString(body), PgBuffers.readCString(body));
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(name.length() + value.length() + 8);
        int lengthIndex = PgBuffers.beginMessage(out, BackendTag.PARAMETER_STATUS);
        PgBuffers.writeCString(out, name);
        PgBuffers.writeCString(out, value);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
