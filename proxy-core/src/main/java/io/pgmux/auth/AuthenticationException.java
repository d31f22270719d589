package io.pgmux.auth;

/**
 * An authentication exchange failed: wrong password, a peer that broke the SASL grammar, or a server whose
 * signature did not check out.
 *
 * <p>The message is written for the operator's log and may say precisely what went wrong. When the failure is
 * a pgmux client's, send that client only PostgreSQL's generic "password authentication failed" (SQLSTATE
 * 28P01), as PostgreSQL itself does, so the detail does not help someone guessing passwords.
 *
 * <p>Unchecked like {@code ProtocolException}: the connection handlers turn it into an error reply and a close
 * instead of declaring it through every layer.
 */
public final class AuthenticationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
