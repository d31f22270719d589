package io.pgmux.protocol.frontend;

/** SSLRequest: the client asks whether the connection can switch to TLS before it says anything else. */
public record SSLRequest() implements StartupPacket {
    public static final int CODE = 80877103;
}
