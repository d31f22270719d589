package io.pgmux.tls;

import io.pgmux.tls.ServerCertificateException.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPath;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's PKIX trust manager, checking a server's certificate as before, whose refusal becomes a {@link
 * ServerCertificateException} that says which check failed on which certificate. The JDK reports a failed chain as
 * a message of its internals ("PKIX path building failed: sun.security.provider.certpath...") and a host name
 * mismatch as another; this tells them apart by what failed, not by the message: when the full check fails, the
 * chain alone is checked again, and if it passes, the host name was at fault.
 */
public final class VerifyingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final TrustedCas trusted;

    private VerifyingTrustManager(X509ExtendedTrustManager delegate, TrustedCas trusted) {
        this.delegate = delegate;
        this.trusted = trusted;
    }

    /**
     * Trusts the certificates of {@code trusted}'s CA file (PEM, one or more), or the Java runtime's CAs without
     * one. Reads the file now: call it off the event loops.
     *
     * @throws IOException              when the file cannot be read (the message as the JDK gives it)
     * @throws GeneralSecurityException when it holds no certificate or one that does not parse
     */
    public static VerifyingTrustManager of(TrustedCas trusted) throws IOException, GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (trusted.caFile().isEmpty()) {
            factory.init((KeyStore) null);
        } else {
            factory.init(load(trusted.caFile().get()));
        }
        for (TrustManager each : factory.getTrustManagers()) {
            if (each instanceof X509ExtendedTrustManager) {
                return new VerifyingTrustManager((X509ExtendedTrustManager) each, trusted);
            }
        }
        throw new GeneralSecurityException("the Java runtime's " + factory.getAlgorithm()
                + " trust manager factory made no X509ExtendedTrustManager");
    }

    private static KeyStore load(Path pem) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate each : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, each);
            }
            if (i == 0) {
                throw new CertificateException("holds no certificate");
            }
        }
        return store;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw explain(e, chain, authType, engine.getSSLParameters(), engine.getPeerHost());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            if (!(socket instanceof SSLSocket)) {
                throw explain(e, chain, authType, null, null);
            }
            SSLSocket tls = (SSLSocket) socket;
            SSLSession session = tls.getHandshakeSession();
            throw explain(e, chain, authType, tls.getSSLParameters(), session == null ? null : session.getPeerHost());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            throw explain(e, chain, authType, null, null);
        }
    }

    /**
     * @param parameters the connection's, whose endpoint identification says whether the host name was checked;
     *                   null when it was not
     */
    private ServerCertificateException explain(CertificateException failure, X509Certificate[] chain,
                                               String authType, SSLParameters parameters, String host) {
        if (failure instanceof ServerCertificateException) {
            return (ServerCertificateException) failure;
        }
        boolean namesChecked = parameters != null && parameters.getEndpointIdentificationAlgorithm() != null;
        if (namesChecked && chain != null && chain.length > 0) {
            try {
                delegate.checkServerTrusted(chain, authType);
                return new ServerCertificateException(Fault.HOST_MISMATCH, chain[0], host, trusted, failure);
            } catch (CertificateException chainFault) {
                // The chain itself fails: that is the fault to report, the name is not known to matter.
            }
        }
        return chainFault(failure, chain, host);
    }

    /**
     * Which check of the chain failed, from the JDK's exception types and reasons (never its messages): an
     * expired or not yet valid certificate, no path to a trusted CA; anything else is {@link Fault#INVALID}.
     */
    private ServerCertificateException chainFault(CertificateException failure, X509Certificate[] chain, String host) {
        X509Certificate leaf = chain[0];
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return new ServerCertificateException(Fault.EXPIRED, lapsed(chain, leaf), host, trusted, failure);
            }
            if (t instanceof CertificateNotYetValidException) {
                return new ServerCertificateException(Fault.NOT_YET_VALID, lapsed(chain, leaf), host, trusted,
                        failure);
            }
            if (t instanceof CertPathBuilderException) {
                return new ServerCertificateException(Fault.UNTRUSTED, leaf, host, trusted, failure);
            }
            if (t instanceof CertPathValidatorException) {
                CertPathValidatorException invalid = (CertPathValidatorException) t;
                Fault fault = invalid.getReason() == BasicReason.EXPIRED ? Fault.EXPIRED
                        : invalid.getReason() == BasicReason.NOT_YET_VALID ? Fault.NOT_YET_VALID
                        : invalid.getReason() == PKIXReason.NO_TRUST_ANCHOR ? Fault.UNTRUSTED
                        : null;
                if (fault != null) {
                    return new ServerCertificateException(fault, at(invalid, leaf), host, trusted, failure);
                }
            }
        }
        return new ServerCertificateException(Fault.INVALID, leaf, host, trusted, failure);
    }

    /** The certificate a validator's failure names, else {@code fallback}. */
    private static X509Certificate at(CertPathValidatorException failure, X509Certificate fallback) {
        CertPath path = failure.getCertPath();
        int index = failure.getIndex();
        if (path != null && index >= 0 && index < path.getCertificates().size()
                && path.getCertificates().get(index) instanceof X509Certificate) {
            return (X509Certificate) path.getCertificates().get(index);
        }
        return fallback;
    }

    /** The first certificate of the chain outside its validity now, else {@code fallback}. */
    private static X509Certificate lapsed(X509Certificate[] chain, X509Certificate fallback) {
        for (X509Certificate each : List.of(chain)) {
            try {
                each.checkValidity();
            } catch (CertificateExpiredException | CertificateNotYetValidException outside) {
                return each;
            }
        }
        return fallback;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
