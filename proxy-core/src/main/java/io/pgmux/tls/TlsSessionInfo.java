package io.pgmux.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What a connection's TLS session is: the protocol version and cipher suite (PgBouncer's {@code tls} column of
 * SHOW CLIENTS and SHOW SERVERS prints them, e.g. {@code TLSv1.3/TLS_AES_256_GCM_SHA384}).
 *
 * @param protocol the negotiated TLS version, e.g. {@code TLSv1.3}
 * @param cipher   the cipher suite by its IANA name
 */
public record TlsSessionInfo(String protocol, String cipher) {
    public TlsSessionInfo {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipher, "cipher");
    }

    /** The session of {@code channel}; empty without TLS or before its handshake has finished. */
    public static Optional<TlsSessionInfo> of(Channel channel) {
        return session(channel).map(s -> new TlsSessionInfo(s.getProtocol(), s.getCipherSuite()));
    }

    /** The peer's leaf certificate, verified by the handshake; empty without TLS or when the peer sent none. */
    public static Optional<X509Certificate> peerCertificate(Channel channel) {
        Optional<SSLSession> session = session(channel);
        if (session.isEmpty()) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.get().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate
                    ? Optional.of((X509Certificate) chain[0]) : Optional.empty();
        } catch (SSLPeerUnverifiedException none) {
            return Optional.empty();
        }
    }

    /** Whether the channel runs over TLS (its handshake may still be going on). */
    public static boolean isEncrypted(Channel channel) {
        return channel.pipeline().get(SslHandler.class) != null;
    }

    private static Optional<SSLSession> session(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        return Optional.ofNullable(ssl.engine().getSession());
    }

    @Override
    public String toString() {
        return protocol + "/" + cipher;
    }
}
