package io.pgmux.tls;

import io.pgmux.config.ClientTlsConfig;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client-side TLS context that new connections use. Built at start; {@link #reload} builds a new one from the
 * certificate files and swaps it in, so connections accepted afterwards use the new certificates while those
 * already encrypted keep their session (PgBouncer's RELOAD and SIGHUP behave the same way).
 */
public final class ClientTlsSource {
    private final AtomicReference<Optional<ClientTls>> current;

    /**
     * Reads the files now: call it at start, off the event loops.
     *
     * @throws TlsSetupException when the configured files cannot be used
     */
    public ClientTlsSource(ClientTlsConfig config) {
        current = new AtomicReference<>(ClientTls.create(Objects.requireNonNull(config, "config")));
    }

    /** The context for a connection accepted now; empty when client_tls_sslmode is disable. */
    public Optional<ClientTls> current() {
        return current.get();
    }

    /**
     * Rebuilds the context from {@code config} (re-reading its files) and makes it the one new connections use;
     * connections already running keep theirs. Blocking file I/O: call it off the event loops.
     *
     * @throws TlsSetupException when the files cannot be used; the previous context then stays in use
     */
    public void reload(ClientTlsConfig config) {
        current.set(ClientTls.create(Objects.requireNonNull(config, "config")));
    }
}
