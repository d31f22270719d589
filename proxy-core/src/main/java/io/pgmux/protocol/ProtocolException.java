package io.pgmux.protocol;

/**
 * A peer broke the wire protocol: a malformed, oversized or unexpected message. The connection it arrived on
 * cannot be trusted any more, so the handler answers with a FATAL 08P01 and closes it.
 */
public final class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }
}
