package io.pgmux.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import io.pgmux.config.FileErrors;
import io.pgmux.config.ServerTlsConfig;
import io.pgmux.config.SslMode;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * TLS towards one database's server, with libpq's sslmode semantics: allow, prefer and require encrypt without
 * checking who answers (require checks the chain when a CA file is set, as libpq does with a root certificate);
 * verify-ca checks the chain against {@code server_tls_ca_file}; verify-full also checks that the certificate
 * names the host pgmux connected to (RFC 6125 matching of DNS and IP subjectAltNames, the JDK's "HTTPS"
 * endpoint identification, which is libpq's rule as well), using the JDK's trust store when no CA file is set. A
 * certificate that fails a check fails the handshake with a {@link ServerCertificateException} among its causes,
 * which says which check failed and what to set ({@link VerifyingTrustManager}).
 *
 * <p>Sends SNI (the database's host name, never an IP address) unless {@code server_tls_sni} is off, and offers
 * ALPN {@code postgresql} as libpq 17 does; servers before 17 ignore it.
 */
public final class UpstreamTls {
    private final ServerTlsConfig config;
    private final SslContext context;

    private UpstreamTls(ServerTlsConfig config, SslContext context) {
        this.config = config;
        this.context = context;
    }

    /**
     * The context for {@code config}; empty when server_tls_sslmode is disable (never send SSLRequest). Reads the
     * files now, so build it at start and on reload, off the event loop. Databases with equal settings may
     * share one.
     *
     * @throws TlsSetupException naming the setting and file when they cannot be used
     */
    public static Optional<UpstreamTls> create(ServerTlsConfig config) {
        if (config.sslmode() == SslMode.DISABLE) {
            return Optional.empty();
        }
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (!config.verifiesChain()) {
            // What libpq does for allow, prefer and require: encryption against eavesdroppers, no identity check.
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else {
            // The JDK's checks, with failures that say which check failed and what to set (see
            // ServerCertificateException); the Java runtime's CAs when no CA file is set.
            builder.trustManager(trustManager(TrustedCas.serverTls(config.caFile())));
        }
        // Netty 4.2 verifies host names by default; only verify-full asks for it.
        builder.endpointIdentificationAlgorithm(config.verifiesHostName() ? "HTTPS" : null);
        if (config.certFile().isPresent() && config.keyFile().isPresent()) {
            Path cert = config.certFile().get();
            Path key = config.keyFile().get();
            TlsContexts.reading("server_tls_cert_file/server_tls_key_file", cert,
                    () -> builder.keyManager(cert.toFile(), key.toFile()));
            KeyMatch.check("server_tls_cert_file/server_tls_key_file", cert, key);
        }
        ApplicationProtocolConfig alpn = new ApplicationProtocolConfig(Protocol.ALPN,
                SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
                TlsContexts.ALPN_POSTGRESQL);
        return Optional.of(new UpstreamTls(config, TlsContexts.build(builder, "server_tls", config.protocols(),
                config.ciphers(), alpn)));
    }

    /** @throws TlsSetupException naming server_tls_ca_file and the file when it cannot be used */
    private static VerifyingTrustManager trustManager(TrustedCas trusted) {
        String setting = trusted.caSetting() + ": ";
        try {
            return VerifyingTrustManager.of(trusted);
        } catch (IOException e) {
            // Only a CA file is read.
            throw new TlsSetupException(setting + FileErrors.cannotRead(trusted.caFile().orElseThrow(), e), e);
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException(setting + "cannot use " + trusted.caFile().map(Path::toString)
                    .orElse("the Java runtime's trusted CAs") + ": " + e.getMessage(), e);
        }
    }

    /**
     * The handler for one server connection to {@code host}:{@code port}, to put first in its pipeline after the
     * server answered SSLRequest with {@code S}. The handshake starts as soon as it is added to an active channel;
     * its failure (wrong CA, wrong host name) fails the handshake future with the reason.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
        SslHandler handler = context.newHandler(Objects.requireNonNull(alloc, "alloc"), host, port);
        // Set explicitly: the JDK on its own sends SNI only for names with a dot, libpq for every host name.
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(serverNames(host));
        engine.setSSLParameters(parameters);
        return handler;
    }

    /** The SNI to send for {@code host}: none for an IP address (RFC 6066), none when turned off. */
    private List<SNIServerName> serverNames(String host) {
        if (!config.sni() || NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return List.of();
        }
        try {
            return List.of(new SNIHostName(host));
        } catch (IllegalArgumentException notAHostName) {
            // A name SNI cannot carry (RFC 6066 allows DNS host names only): connect without it.
            return List.of();
        }
    }

    public ServerTlsConfig config() {
        return config;
    }
}
