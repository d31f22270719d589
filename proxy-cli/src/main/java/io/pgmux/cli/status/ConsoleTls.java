package io.pgmux.cli.status;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.pgmux.config.FileErrors;
import io.pgmux.config.SslMode;
import io.pgmux.protocol.frontend.SSLRequest;
import io.pgmux.tls.ServerCertificateException;
import io.pgmux.tls.TrustedCas;
import io.pgmux.tls.VerifyingTrustManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * How the console client asks for TLS, with libpq's {@code sslmode} meanings (PostgreSQL documentation, "SSL
 * Support"): {@code disable} never asks; {@code allow} and {@code prefer} ask and carry on without TLS when pgmux
 * declines ({@code allow} is taken as {@code prefer}: the console client makes one attempt); {@code require}
 * insists and checks no certificate, unless a root certificate is given, then as {@code verify-ca};
 * {@code verify-ca} checks the chain against {@code rootCert} (else the Java runtime's trusted CAs);
 * {@code verify-full} also checks that the certificate names the host.
 *
 * @param mode     the sslmode
 * @param rootCert PEM file of the CAs to trust; empty: the Java runtime's
 */
public record ConsoleTls(SslMode mode, Optional<Path> rootCert) {
    /** TLS could not be had as the mode asks: pgmux declined it, or the handshake or certificate check failed. */
    public static final class TlsException extends IOException {
        private static final long serialVersionUID = 1L;

        TlsException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** libpq's default. */
    public static ConsoleTls prefer() {
        return new ConsoleTls(SslMode.PREFER, Optional.empty());
    }

    /**
     * Sends SSLRequest on {@code plain} (connected, nothing sent yet) when the mode asks for TLS, and returns the
     * socket to speak the protocol on: a TLS socket over it once the handshake is done, or {@code plain}.
     *
     * @throws TlsException when TLS is required and pgmux declines, or the handshake or the certificate check fails
     * @throws IOException  when the connection breaks off
     */
    Socket negotiate(Socket plain, String host, int port) throws IOException {
        if (mode == SslMode.DISABLE) {
            return plain;
        }
        DataOutputStream out = new DataOutputStream(plain.getOutputStream());
        out.writeInt(8);
        out.writeInt(SSLRequest.CODE);
        out.flush();
        int answer = new DataInputStream(plain.getInputStream()).read();
        if (answer == 'N') {
            if (mode.requiresTls()) {
                throw new TlsException("pgmux does not offer TLS (its client_tls_sslmode is disable), and sslmode is "
                        + mode.configName(), null);
            }
            return plain;
        }
        if (answer != 'S') {
            throw new IOException("pgmux answered the SSLRequest with " + (answer < 0 ? "a closed connection"
                    : "'" + (char) answer + "'") + " instead of S or N");
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers(), null);
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
            if (mode == SslMode.VERIFY_FULL) {
                SSLParameters parameters = tls.getSSLParameters();
                // RFC 2818/6125 host name rules, the ones libpq's verify-full applies.
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
            }
            try {
                tls.startHandshake();
            } catch (javax.net.ssl.SSLException e) {
                String address = host + ":" + port;
                throw new TlsException(ServerCertificateException.in(e)
                        .map(refused -> refused.message(address) + "\nDETAIL: " + refused.detail() + "\nHINT: "
                                + refused.hint())
                        .orElseGet(() -> "the TLS handshake failed (sslmode " + mode.configName() + "): "
                                + e.getMessage()), e);
            }
            return tls;
        } catch (GeneralSecurityException e) {
            throw new TlsException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private TrustManager[] trustManagers() throws TlsException {
        boolean verify = mode.verifiesCertificate() || (mode == SslMode.REQUIRE && rootCert.isPresent());
        if (!verify) {
            return InsecureTrustManagerFactory.INSTANCE.getTrustManagers();
        }
        // The same checks as pgmux's towards a database, and failures that name these options.
        TrustedCas trusted = new TrustedCas("--sslrootcert", rootCert, "--sslmode", "-h",
                "pgmux's certificate (its client_tls_cert_file)");
        try {
            return new TrustManager[] {VerifyingTrustManager.of(trusted)};
        } catch (IOException e) {
            throw new TlsException("--sslrootcert: " + FileErrors.cannotRead(rootCert.orElseThrow(), e), e);
        } catch (GeneralSecurityException e) {
            throw new TlsException("--sslrootcert: cannot use " + rootCert.map(Path::toString)
                    .orElse("the Java runtime's trusted CAs") + ": " + e.getMessage(), e);
        }
    }
}
