package io.pgmux.protocol;

/**
 * A peer broke the wire protocol: a malformed, oversized or unexpected message. The connection it arrived on
 * cannot be trusted any more, so the handler answers with a FATAL error (08P01 unless PostgreSQL reports the
 * case otherwise) and closes it.
 */
public final class ProtocolException extends RuntimeException {
    /** PostgreSQL's own report of this violation; null when the handler words it from the message. */
    private final PgError reported;

    public ProtocolException(String message) {
        super(message);
        this.reported = null;
    }

    /**
     * A violation PostgreSQL reports in words and with a SQLSTATE of its own (e.g. 0A000 for an unsupported
     * protocol version): the peer gets exactly this error.
     */
    public ProtocolException(PgError reported) {
        super(reported.message());
        this.reported = reported;
    }

    /**
     * The error for the peer: PostgreSQL's own report when there is one, else FATAL 08P01 with the message after
     * {@code context} (such as "invalid frontend message: ").
     */
    public PgError error(String context) {
        return reported != null ? reported : PgError.fatal(SqlState.PROTOCOL_VIOLATION, context + getMessage());
    }
}
