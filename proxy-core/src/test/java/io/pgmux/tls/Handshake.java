package io.pgmux.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Runs a TLS handshake between two SslHandlers in memory: each side in an EmbeddedChannel, bytes carried across
 * by hand until both are done. Deterministic, no sockets, no threads; every buffer is released.
 */
final class Handshake implements AutoCloseable {
    private final SslHandler server;
    private final SslHandler client;
    private final EmbeddedChannel serverChannel;
    private final EmbeddedChannel clientChannel;

    private Handshake(SslHandler server, SslHandler client) {
        this.server = server;
        this.client = client;
        this.serverChannel = new EmbeddedChannel(server);
        this.clientChannel = new EmbeddedChannel(client); // active at once: the client sends its ClientHello
        for (int round = 0; round < 50 && !(server.handshakeFuture().isDone() && client.handshakeFuture().isDone());
                round++) {
            boolean moved = carry(clientChannel, serverChannel) | carry(serverChannel, clientChannel);
            if (!moved) {
                break;
            }
        }
    }

    static Handshake run(SslHandler server, SslHandler client) {
        return new Handshake(server, client);
    }

    private static boolean carry(EmbeddedChannel from, EmbeddedChannel to) {
        from.runPendingTasks();
        boolean moved = false;
        for (ByteBuf buf = from.readOutbound(); buf != null; buf = from.readOutbound()) {
            moved = true;
            if (to.isActive()) {
                try {
                    to.writeInbound(buf);
                } catch (RuntimeException handshakeFailure) {
                    // EmbeddedChannel rethrows what reached the end of the pipeline; the handshake future keeps
                    // the failure, which is what the tests look at.
                }
            } else {
                buf.release();
            }
        }
        to.runPendingTasks();
        return moved;
    }

    boolean succeeded() {
        return server.handshakeFuture().isSuccess() && client.handshakeFuture().isSuccess();
    }

    /** Why the client's side failed, or empty. */
    Optional<Throwable> clientFailure() {
        return failure(client.handshakeFuture());
    }

    Optional<Throwable> serverFailure() {
        return failure(server.handshakeFuture());
    }

    String protocol() {
        return server.engine().getSession().getProtocol();
    }

    String cipherSuite() {
        return server.engine().getSession().getCipherSuite();
    }

    /** The application protocol ALPN chose on the server side; null when none. */
    String serverAlpn() {
        return server.applicationProtocol();
    }

    /** The client certificate the server saw, if any. */
    Optional<X509Certificate> clientCertificate() {
        try {
            Certificate[] chain = server.engine().getSession().getPeerCertificates();
            return Optional.of((X509Certificate) chain[0]);
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** The host name the client sent in SNI, as the server saw it. */
    Optional<String> requestedServerName() {
        SSLSession session = server.engine().getHandshakeSession() != null
                ? server.engine().getHandshakeSession() : server.engine().getSession();
        if (!(session instanceof ExtendedSSLSession extended)) {
            return Optional.empty();
        }
        for (SNIServerName name : extended.getRequestedServerNames()) {
            if (name instanceof SNIHostName host) {
                return Optional.of(host.getAsciiName());
            }
        }
        return Optional.empty();
    }

    private static Optional<Throwable> failure(Future<?> future) {
        return future.isDone() && !future.isSuccess() ? Optional.of(future.cause()) : Optional.empty();
    }

    /** The chain of messages of a failure, for assertions about its reason. */
    static String describe(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.append(c).append(" / ");
        }
        return out.toString();
    }

    @Override
    public void close() {
        for (EmbeddedChannel channel : new EmbeddedChannel[] {serverChannel, clientChannel}) {
            try {
                channel.finishAndReleaseAll();
            } catch (RuntimeException alreadyReported) {
                // the handshake failure again, rethrown by finish
            }
        }
    }
}
