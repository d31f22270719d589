package io.pgmux.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.pgmux.config.TlsProtocol;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/** What both legs share when building a context: the provider, protocols, cipher suites, ALPN. */
final class TlsContexts {
    /**
     * The ALPN protocol name PostgreSQL 17 registered and requires for direct TLS connections ("SSL Session
     * Encryption" in the protocol documentation); libpq 17 offers it on every TLS connection.
     */
    static final String ALPN_POSTGRESQL = "postgresql";

    private TlsContexts() {
    }

    /** OpenSSL through netty-tcnative when it is on the class path and loads, else the JDK's own engine. */
    static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** Applies protocols, cipher suites and ALPN, then builds; {@code prefix} names the settings in errors. */
    static SslContext build(SslContextBuilder builder, String prefix, Set<TlsProtocol> protocols,
                            List<String> ciphers, ApplicationProtocolConfig alpn) {
        SslProvider provider = provider();
        builder.sslProvider(provider)
                .protocols(protocols.stream().sorted().map(TlsProtocol::jdkName).toList())
                .applicationProtocolConfig(alpn);
        if (!ciphers.isEmpty()) {
            List<String> unknown = ciphers.stream().filter(suite -> !supported(provider, suite)).toList();
            if (!unknown.isEmpty()) {
                throw new TlsSetupException(prefix + "_ciphers: not supported by the " + provider + " TLS provider: "
                        + String.join(", ", unknown) + " (supported: " + String.join(", ", supported(provider))
                        + ")");
            }
            builder.ciphers(ciphers);
        }
        try {
            return builder.build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsSetupException(prefix + ": cannot set up TLS: " + describe(e), e);
        }
    }

    /**
     * A builder step that reads PEM files; Netty reports a bad file as an IllegalArgumentException whose cause
     * says what was wrong, which this turns into a message naming the setting.
     */
    static <T> T reading(String settings, Path file, Supplier<T> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            throw new TlsSetupException(settings + ": cannot use " + file + ": " + describe(e), e);
        }
    }

    private static boolean supported(SslProvider provider, String suite) {
        return provider == SslProvider.JDK
                ? supported(provider).contains(suite) : OpenSsl.isCipherSuiteAvailable(suite);
    }

    private static Set<String> supported(SslProvider provider) {
        if (provider != SslProvider.JDK) {
            return new TreeSet<>(OpenSsl.availableJavaCipherSuites());
        }
        try {
            return Arrays.stream(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites())
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }

    /** The innermost useful message of a failure chain. */
    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank() && out.indexOf(t.getMessage()) < 0) {
                if (out.length() > 0) {
                    out.append(": ");
                }
                out.append(t.getMessage());
            }
        }
        return out.length() == 0 ? e.getClass().getSimpleName() : out.toString();
    }
}
