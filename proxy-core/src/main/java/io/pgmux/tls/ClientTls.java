package io.pgmux.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.pgmux.config.ClientTlsConfig;
import io.pgmux.config.SslMode;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS towards clients: the server-side context built from {@code client_tls_*} (PgBouncer's settings), and the
 * SslHandler for one connection.
 *
 * <p>Client certificates: required by verify-ca and verify-full, requested (optional) whenever
 * {@code client_tls_ca_file} is set so the {@code cert} method can use them, not asked for otherwise. A
 * certificate is accepted only if it chains to that CA; what its CN must say is the access policy's business.
 *
 * <p>ALPN: {@code postgresql} is selected when a client offers it, and a client offering only other protocols
 * is refused in the handshake, as PostgreSQL 17 does; a client offering none is fine (every client before
 * libpq 17). The login path must insist on {@code postgresql} for PostgreSQL 17's direct TLS (a ClientHello
 * without SSLRequest first), which {@link SslHandler#applicationProtocol()} tells after the handshake.
 */
public final class ClientTls {
    private final SslContext context;

    private ClientTls(SslContext context) {
        this.context = context;
    }

    /**
     * The context for {@code config}; empty when client_tls_sslmode is disable (answer SSLRequest with {@code N}).
     * Reads the certificate, key and CA files now, so call it at start and on reload, off the event loop.
     *
     * @throws TlsSetupException naming the setting and file when they cannot be used
     */
    public static Optional<ClientTls> create(ClientTlsConfig config) {
        if (config.sslmode() == SslMode.DISABLE) {
            return Optional.empty();
        }
        Path cert = config.certFile().orElseThrow(() -> new TlsSetupException("client_tls_cert_file is not set"));
        Path key = config.keyFile().orElseThrow(() -> new TlsSetupException("client_tls_key_file is not set"));
        SslContextBuilder builder = TlsContexts.reading("client_tls_cert_file/client_tls_key_file", cert,
                () -> SslContextBuilder.forServer(cert.toFile(), key.toFile()));
        KeyMatch.check("client_tls_cert_file/client_tls_key_file", cert, key);
        if (config.caFile().isPresent()) {
            Path ca = config.caFile().get();
            TlsContexts.reading("client_tls_ca_file", ca, () -> builder.trustManager(ca.toFile()));
            builder.clientAuth(config.sslmode().verifiesCertificate() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        } else {
            builder.clientAuth(ClientAuth.NONE);
        }
        ApplicationProtocolConfig alpn = new ApplicationProtocolConfig(Protocol.ALPN,
                SelectorFailureBehavior.FATAL_ALERT, SelectedListenerFailureBehavior.ACCEPT,
                TlsContexts.ALPN_POSTGRESQL);
        return Optional.of(new ClientTls(TlsContexts.build(builder, "client_tls", config.protocols(),
                config.ciphers(), alpn)));
    }

    /**
     * The handler for one client connection, to put first in its pipeline once {@code S} has been written in
     * the clear (or at once for a direct TLS connection). The handshake starts when the client's ClientHello
     * arrives.
     */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(Objects.requireNonNull(alloc, "alloc"));
    }

    /** The context, for tests and for the reload path that swaps it. */
    public SslContext context() {
        return context;
    }
}
