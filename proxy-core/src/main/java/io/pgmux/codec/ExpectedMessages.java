package io.pgmux.codec;

import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;

/**
 * The message types a peer may send in one phase of the protocol, the longest message it may send there, and
 * what PostgreSQL says when another type arrives. The {@link MessageFramer} checks each type byte as soon as it
 * arrives, so a message that cannot be valid is refused before its length word or body, as the backend does
 * (protocol docs, "Message Formats"; PostgresMain's "invalid frontend message type", recv_password_packet's
 * "expected password response"). Immutable.
 */
public final class ExpectedMessages {
    /** PG_MAX_AUTH_TOKEN_LENGTH: PostgreSQL reads no longer password message. */
    static final int MAX_PASSWORD_MESSAGE_LENGTH = 65_535;
    /** PG_MAX_SASL_MESSAGE_LENGTH: PostgreSQL reads no longer SASL message. */
    static final int MAX_SASL_MESSAGE_LENGTH = 1024;

    /**
     * A client that has sent its StartupMessage and is asked for a password (cleartext or MD5): a
     * PasswordMessage, type {@code 'p'}.
     */
    public static final ExpectedMessages PASSWORD_RESPONSE = new ExpectedMessages(
            "expected password response, got message type ", MAX_PASSWORD_MESSAGE_LENGTH, FrontendTag.PASSWORD);

    /** A client in a SASL exchange: SASLInitialResponse, then SASLResponse, both of type {@code 'p'}. */
    public static final ExpectedMessages SASL_RESPONSE = new ExpectedMessages(
            "expected SASL response, got message type ", MAX_SASL_MESSAGE_LENGTH, FrontendTag.PASSWORD);

    /** A logged-in client: the frontend messages of the simple, extended, COPY and function-call protocols. */
    public static final ExpectedMessages FRONTEND = new ExpectedMessages("invalid frontend message type ",
            Integer.MAX_VALUE, FrontendTag.BIND, FrontendTag.CLOSE, FrontendTag.COPY_DATA, FrontendTag.COPY_DONE,
            FrontendTag.COPY_FAIL, FrontendTag.DESCRIBE, FrontendTag.EXECUTE, FrontendTag.FLUSH,
            FrontendTag.FUNCTION_CALL, FrontendTag.PARSE, FrontendTag.QUERY, FrontendTag.SYNC, FrontendTag.TERMINATE);

    /** A server, from its first answer to the StartupMessage on: every backend message type. */
    public static final ExpectedMessages BACKEND = new ExpectedMessages("invalid backend message type ",
            Integer.MAX_VALUE, BackendTag.AUTHENTICATION, BackendTag.BACKEND_KEY_DATA, BackendTag.BIND_COMPLETE,
            BackendTag.CLOSE_COMPLETE, BackendTag.COMMAND_COMPLETE, BackendTag.COPY_BOTH_RESPONSE,
            BackendTag.COPY_DATA, BackendTag.COPY_DONE, BackendTag.COPY_IN_RESPONSE, BackendTag.COPY_OUT_RESPONSE,
            BackendTag.DATA_ROW, BackendTag.EMPTY_QUERY_RESPONSE, BackendTag.ERROR_RESPONSE,
            BackendTag.FUNCTION_CALL_RESPONSE, BackendTag.NEGOTIATE_PROTOCOL_VERSION, BackendTag.NO_DATA,
            BackendTag.NOTICE_RESPONSE, BackendTag.NOTIFICATION_RESPONSE, BackendTag.PARAMETER_DESCRIPTION,
            BackendTag.PARAMETER_STATUS, BackendTag.PARSE_COMPLETE, BackendTag.PORTAL_SUSPENDED,
            BackendTag.READY_FOR_QUERY, BackendTag.ROW_DESCRIPTION);

    private final boolean[] allowed = new boolean[256];
    private final String refusal;
    private final int maxLength;

    private ExpectedMessages(String refusal, int maxLength, byte... tags) {
        this.refusal = refusal;
        this.maxLength = maxLength;
        for (byte each : tags) {
            allowed[each & 0xFF] = true;
        }
    }

    public boolean allows(byte tag) {
        return allowed[tag & 0xFF];
    }

    /**
     * The longest message of this phase, type byte included, when the connection allows up to
     * {@code maxMessageSize}.
     */
    int maxMessageSize(int maxMessageSize) {
        return (int) Math.min(maxMessageSize, (long) maxLength + 1);
    }

    /** The violation for a type byte this phase does not allow: FATAL 08P01 in PostgreSQL's words. */
    ProtocolException refuse(byte tag) {
        return new ProtocolException(PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                refusal + (tag & 0xFF) + " (" + MessageFramer.printable(tag) + ")"));
    }
}
