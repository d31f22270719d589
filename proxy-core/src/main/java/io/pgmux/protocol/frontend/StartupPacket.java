package io.pgmux.protocol.frontend;

/**
 * The untyped, length-prefixed packets a client may send before its session starts. The first int32 after the
 * length tells them apart: a protocol version for StartupMessage, a magic request code for the others.
 */
public sealed interface StartupPacket permits StartupMessage, SSLRequest, GSSENCRequest, CancelRequest {
}
