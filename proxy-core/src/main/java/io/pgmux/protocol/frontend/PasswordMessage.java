package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgBuffers;

/** PasswordMessage: a cleartext or MD5-hashed password, as a NUL-terminated string. */
public final class PasswordMessage {
    private PasswordMessage() {
    }

    /** Decodes the body of a 'p' message the client sent in answer to a password request. */
    public static String decode(ByteBuf body) {
        return PgBuffers.readCString(body);
    }

    public static ByteBuf encode(ByteBufAllocator alloc, byte[] password) {
        ByteBuf out = alloc.ioBuffer(password.length + 6);
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.PASSWORD);
        out.writeBytes(password);
        out.writeByte(0);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
