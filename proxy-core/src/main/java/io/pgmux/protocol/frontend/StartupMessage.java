package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.PgBuffers;
import io.pgmux.protocol.ProtocolException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** StartupMessage: the protocol version and the session's parameters (user, database, options, GUCs ...). */
public record StartupMessage(int protocolVersion, Map<String, String> parameters) implements StartupPacket {
    /** Protocol 3.0, the version every driver speaks and the one pgmux serves. */
    public static final int PROTOCOL_3_0 = 3 << 16;

    public StartupMessage {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    public int majorVersion() {
        return protocolVersion >>> 16;
    }

    public int minorVersion() {
        return protocolVersion & 0xFFFF;
    }

    public String parameter(String name) {
        return parameters.get(name);
    }

    /** Decodes the body after the version: name/value pairs closed by an empty name. */
    static StartupMessage decode(int protocolVersion, ByteBuf body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        while (body.isReadable()) {
            String name = PgBuffers.readCString(body);
            if (name.isEmpty()) {
                if (body.isReadable()) {
                    throw new ProtocolException("StartupMessage has bytes after its terminator");
                }
                return new StartupMessage(protocolVersion, parameters);
            }
            String value = PgBuffers.readCString(body);
            if (parameters.put(name, value) != null) {
                throw new ProtocolException("StartupMessage repeats parameter \"" + name + "\"");
            }
        }
        throw new ProtocolException("StartupMessage is missing its terminating NUL");
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(128);
        int lengthIndex = PgBuffers.beginUntypedMessage(out);
        out.writeInt(protocolVersion);
        for (Map.Entry<String, String> each : parameters.entrySet()) {
            PgBuffers.writeCString(out, each.getKey());
            PgBuffers.writeCString(out, each.getValue());
        }
        out.writeByte(0);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
