package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgBuffers;
import java.util.List;

/**
 * The Authentication* family (AuthenticationOk, AuthenticationCleartextPassword, AuthenticationMD5Password,
 * AuthenticationSASL, AuthenticationSASLContinue, AuthenticationSASLFinal): one 'R' message whose first int32
 * says which request it is. pgmux reads them from servers and builds them for clients.
 */
public record Authentication(int type, byte[] data) {
    public static final int OK = 0;
    public static final int CLEARTEXT_PASSWORD = 3;
    public static final int MD5_PASSWORD = 5;
    public static final int SASL = 10;
    public static final int SASL_CONTINUE = 11;
    public static final int SASL_FINAL = 12;

    public static Authentication decode(ByteBuf body) {
        if (body.readableBytes() < 4) {
            throw new io.pgmux.protocol.ProtocolException("Authentication message without its type");
        }
        int type = body.readInt();
        return new Authentication(type, ByteBufUtil.getBytes(body));
    }

    /** For AuthenticationSASL: the mechanisms the server offers. */
    public List<String> saslMechanisms() {
        ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(data);
        java.util.ArrayList<String> result = new java.util.ArrayList<>();
        while (buf.isReadable()) {
            String each = PgBuffers.readCString(buf);
            if (each.isEmpty()) {
                break;
            }
            result.add(each);
        }
        return result;
    }

    public static ByteBuf ok(ByteBufAllocator alloc) {
        return encode(alloc, OK, new byte[0]);
    }

    public static ByteBuf cleartextPassword(ByteBufAllocator alloc) {
        return encode(alloc, CLEARTEXT_PASSWORD, new byte[0]);
    }

    public static ByteBuf md5Password(ByteBufAllocator alloc, byte[] salt) {
        return encode(alloc, MD5_PASSWORD, salt);
    }

    /** AuthenticationSASL offering {@code mechanisms}, in the server's order of preference. */
    public static ByteBuf sasl(ByteBufAllocator alloc, String... mechanisms) {
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (String each : mechanisms) {
            data.writeBytes(each.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            data.write(0);
        }
        data.write(0);
        return encode(alloc, SASL, data.toByteArray());
    }

    public static ByteBuf saslContinue(ByteBufAllocator alloc, byte[] data) {
        return encode(alloc, SASL_CONTINUE, data);
    }

    public static ByteBuf saslFinal(ByteBufAllocator alloc, byte[] data) {
        return encode(alloc, SASL_FINAL, data);
    }

    private static ByteBuf encode(ByteBufAllocator alloc, int type, byte[] data) {
        ByteBuf out = alloc.ioBuffer(9 + data.length);
        int lengthIndex = PgBuffers.beginMessage(out, BackendTag.AUTHENTICATION);
        out.writeInt(type);
        out.writeBytes(data);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
