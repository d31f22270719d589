package io.pgmux.server;

import io.pgmux.tls.ServerTlsNegotiation;
import io.pgmux.tls.ServerTlsNegotiation.Attempt;
import java.io.IOException;
import java.util.List;

/**
 * A blocking login made with each of an sslmode's attempts in turn ({@link ServerTlsNegotiation#attempts}), as
 * libpq does: the next attempt after a failed TLS handshake, or after a refusal that
 * {@link ServerTlsNegotiation#retriesAfterError} allows; the last failure is the caller's. For the command-line
 * and keeper connections that wait on their login (UpstreamSession, UpstreamProbe); the pools' own logins run on
 * the event loop (ServerHandler).
 */
final class BlockingAttempts {
    /** One login with one attempt's TLS. */
    @FunctionalInterface
    interface Login<T> {
        T with(Attempt attempt) throws IOException;
    }

    private BlockingAttempts() {
    }

    /**
     * @throws IOException          the last attempt's failure (a failed TLS handshake as one, with its message)
     * @throws LoginFailedException when the server refuses the login and no further attempt is due
     */
    static <T> T inTurn(List<Attempt> attempts, Login<T> login) throws IOException {
        for (int index = 0; ; index++) {
            boolean last = index + 1 >= attempts.size();
            try {
                return login.with(attempts.get(index));
            } catch (UpstreamTlsException e) {
                if (last || !e.handshakeFailed()) {
                    throw new IOException(e.getMessage(), e);
                }
            } catch (LoginFailedException e) {
                if (last || !ServerTlsNegotiation.retriesAfterError(e.error().sqlState())) {
                    throw e;
                }
            }
        }
    }
}
