package io.pgmux.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The {@code tls-server-end-point} channel binding (RFC 5929 section 4), the one PostgreSQL's
 * SCRAM-SHA-256-PLUS uses: a hash of the TLS server's certificate, with the hash function of the certificate's
 * signature, except that MD5 and SHA-1 become SHA-256. Both ends compute it, the client from the certificate it
 * received and the server from its own, so a man in the middle who terminates TLS with another certificate makes
 * the SCRAM proof fail.
 *
 * <p>A certificate whose signature names no such hash (Ed25519, RSA-PSS) has no binding; PostgreSQL then cannot
 * bind either, and pgmux does not offer -PLUS over such a connection.
 */
public final class ServerEndPoint {
    private ServerEndPoint() {
    }

    /** The binding data of {@code certificate}; empty when its signature algorithm names no usable hash. */
    public static Optional<byte[]> of(X509Certificate certificate) {
        Optional<String> hash = hashOf(certificate.getSigAlgName());
        if (hash.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(MessageDigest.getInstance(hash.get()).digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** pgmux's own certificate on a client connection: what a client binds to. Empty without TLS. */
    public static Optional<byte[]> ofLocal(Channel channel) {
        return session(channel).map(SSLSession::getLocalCertificates).flatMap(ServerEndPoint::leaf)
                .flatMap(ServerEndPoint::of);
    }

    /** The server's certificate on a connection to PostgreSQL: what pgmux binds to. Empty without TLS. */
    public static Optional<byte[]> ofPeer(Channel channel) {
        return session(channel).flatMap(s -> {
            try {
                return leaf(s.getPeerCertificates());
            } catch (SSLPeerUnverifiedException none) {
                return Optional.empty();
            }
        }).flatMap(ServerEndPoint::of);
    }

    /** The JDK digest name for a signature algorithm such as {@code SHA256withRSA}; MD5 and SHA-1 give SHA-256. */
    static Optional<String> hashOf(String signatureAlgorithm) {
        String name = signatureAlgorithm.toUpperCase(Locale.ROOT);
        if (name.startsWith("MD5WITH") || name.startsWith("SHA1WITH")) {
            return Optional.of("SHA-256");
        }
        for (String bits : new String[] {"224", "256", "384", "512"}) {
            if (name.startsWith("SHA" + bits + "WITH")) {
                return Optional.of("SHA-" + bits);
            }
        }
        return Optional.empty();
    }

    private static Optional<X509Certificate> leaf(Certificate[] chain) {
        return chain != null && chain.length > 0 && chain[0] instanceof X509Certificate
                ? Optional.of((X509Certificate) chain[0]) : Optional.empty();
    }

    private static Optional<SSLSession> session(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        return Optional.ofNullable(ssl.engine().getSession());
    }
}
