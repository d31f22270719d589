package io.pgmux.protocol.frontend;

/** GSSENCRequest: the client asks for GSSAPI transport encryption, which pgmux declines with 'N'. */
public record GSSENCRequest() implements StartupPacket {
    public static final int CODE = 80877104;
}
