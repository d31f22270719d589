package io.pgmux.tls;

/**
 * A TLS setting cannot be turned into a working context: a certificate or key that does not parse, a key that
 * does not fit its certificate, a cipher suite the provider does not know. Raised when pgmux starts (or reloads),
 * never during a handshake; the message names the setting and the file.
 */
public final class TlsSetupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TlsSetupException(String message, Throwable cause) {
        super(message, cause);
    }

    public TlsSetupException(String message) {
        super(message);
    }
}
