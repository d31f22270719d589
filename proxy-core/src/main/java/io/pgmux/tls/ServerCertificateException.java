package io.pgmux.tls;

import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * A server's certificate failed the check its sslmode asks for, with what failed and on which certificate, so
 * that the error names what to fix rather than the JDK's internals. Thrown by {@link VerifyingTrustManager} during
 * the handshake; the handshake's failure carries it as a cause ({@link #in}).
 *
 * <p>The message follows libpq where it has words for the case: a certificate for another host reads {@code server
 * certificate for "localhost" (and 2 other names) does not match host name "db.internal"}; a failed chain check,
 * which libpq reports as OpenSSL's "certificate verify failed", says which check failed and on what: signed by no
 * CA pgmux trusts, expired (OpenSSL's "certificate has expired"), or not yet valid.
 */
public final class ServerCertificateException extends CertificateException {
    private static final long serialVersionUID = 1L;
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** Which check failed. */
    public enum Fault {
        /** No trusted CA issued the chain (the JDK: "PKIX path building failed", no trust anchor). */
        UNTRUSTED,
        /** A certificate of the chain is past its notAfter. */
        EXPIRED,
        /** A certificate of the chain is before its notBefore. */
        NOT_YET_VALID,
        /** The chain is trusted but names another host (verify-full). */
        HOST_MISMATCH,
        /** Another chain fault: a bad signature, a revoked or unusable certificate. */
        INVALID
    }

    private final Fault fault;
    private final transient X509Certificate certificate;
    private final String host;
    private final transient TrustedCas trusted;

    /**
     * @param certificate the certificate at fault (the server's own for a host name mismatch)
     * @param host        the host name checked against the certificate
     * @param cause       the JDK's report, kept for the log
     */
    ServerCertificateException(Fault fault, X509Certificate certificate, String host, TrustedCas trusted,
                               Throwable cause) {
        super(fault + " " + subject(certificate), cause);
        this.fault = fault;
        this.certificate = certificate;
        this.host = host;
        this.trusted = trusted;
    }

    /** The first one in {@code failure}'s chain of causes: how a failed handshake carries it. */
    public static Optional<ServerCertificateException> in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ServerCertificateException) {
                return Optional.of((ServerCertificateException) t);
            }
        }
        return Optional.empty();
    }

    public Fault fault() {
        return fault;
    }

    /**
     * What failed, for an error's primary message, e.g. {@code could not verify the server certificate of
     * 127.0.0.1:5432: no certificate in server_tls_ca_file (/etc/pgmux/ca.pem) signed it}.
     *
     * @param address the server's host:port
     */
    public String message(String address) {
        String failed = "could not verify the server certificate of " + address + ": ";
        return switch (fault) {
            case UNTRUSTED -> failed + (trusted.caFile().isPresent()
                    ? "no certificate in " + trusted.describe() + " signed it"
                    : "no CA the Java runtime trusts signed it");
            case EXPIRED -> failed + "certificate has expired";
            case NOT_YET_VALID -> failed + "certificate is not yet valid";
            case HOST_MISMATCH -> hostMismatch();
            case INVALID -> failed + "certificate verify failed: " + rootMessage();
        };
    }

    /** libpq's words (fe-secure-common.c), over the names libpq would compare. */
    private String hostMismatch() {
        List<String> names = names(certificate);
        if (names.isEmpty()) {
            return "server certificate contains no name to match host name \"" + host + "\"";
        }
        int others = names.size() - 1;
        return "server certificate for \"" + names.get(0) + "\""
                + (others == 0 ? "" : " (and " + others + " other name" + (others == 1 ? "" : "s") + ")")
                + " does not match host name \"" + host + "\"";
    }

    /** The facts behind it, for an error's DETAIL: the certificate, its issuer, its dates or names. */
    public String detail() {
        String who = "The certificate \"" + subject(certificate) + "\"";
        return switch (fault) {
            case EXPIRED -> who + " expired at " + WHEN.format(certificate.getNotAfter().toInstant()) + ".";
            case NOT_YET_VALID -> who + " is valid from " + WHEN.format(certificate.getNotBefore().toInstant()) + ".";
            case HOST_MISMATCH -> who + " names " + String.join(", ", names(certificate)) + ".";
            case UNTRUSTED, INVALID -> who + " was issued by \""
                    + certificate.getIssuerX500Principal().getName(X500Principal.RFC2253) + "\".";
        };
    }

    /** What to change, for an error's HINT, naming the settings. */
    public String hint() {
        return switch (fault) {
            case EXPIRED -> "Renew the expired certificate (" + trusted.peerCertificate() + ", or the CA certificate"
                    + " that issued it), and check that this host's clock is right.";
            case NOT_YET_VALID -> "Check that this host's clock is right, or wait until the certificate is valid.";
            case HOST_MISMATCH -> "Connect by a name the certificate carries (" + trusted.hostSetting() + "), or"
                    + " give the server a certificate that names \"" + host + "\"; " + trusted.sslmodeSetting()
                    + " verify-ca checks the issuer but not the name.";
            case UNTRUSTED, INVALID -> "Set " + trusted.caSetting() + " to the certificate of the CA that issued "
                    + trusted.peerCertificate() + "; " + trusted.sslmodeSetting()
                    + " verify-ca and verify-full accept no other.";
        };
    }

    private String rootMessage() {
        Throwable root = this;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }

    /**
     * The names a host is matched against, as libpq reads them: the DNS and IP subjectAltNames, or the subject's
     * CN when there are none.
     */
    static List<String> names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> each : alternatives) {
                    int type = (Integer) each.get(0);
                    if (type == 2 || type == 7) { // dNSName, iPAddress (RFC 5280 section 4.2.1.6)
                        names.add(String.valueOf(each.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException unreadable) {
            // as if it had none: the CN is what is left
        }
        if (names.isEmpty()) {
            for (String part : certificate.getSubjectX500Principal().getName(X500Principal.RFC2253).split(",")) {
                if (part.startsWith("CN=")) {
                    names.add(part.substring(3));
                }
            }
        }
        return names;
    }
}
