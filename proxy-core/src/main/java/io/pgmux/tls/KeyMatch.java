package io.pgmux.tls;

import io.pgmux.config.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that a private key belongs to the certificate it is configured with, by signing a random challenge and
 * verifying it with the certificate's public key. Without this a mismatched pair builds a context happily and
 * fails every handshake with an error that names neither file.
 */
final class KeyMatch {
    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private KeyMatch() {
    }

    /** @throws TlsSetupException naming {@code settings} when the key is not the certificate's */
    static void check(String settings, Path certFile, Path keyFile) {
        PublicKey publicKey = certificate(settings, certFile).getPublicKey();
        Optional<String> algorithm = signatureAlgorithm(publicKey.getAlgorithm());
        Optional<byte[]> der = pkcs8(keyFile);
        if (algorithm.isEmpty() || der.isEmpty()) {
            return; // an algorithm this check does not know, or a file Netty will report as unreadable itself
        }
        try {
            // A key of another algorithm than the certificate's fails here already: the same mistake.
            PrivateKey privateKey = KeyFactory.getInstance(publicKey.getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(der.get()));
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm.get());
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm.get());
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // fall through: the pair does not work together
        }
        throw new TlsSetupException(settings + ": the private key in " + keyFile + " does not belong to the"
                + " certificate in " + certFile);
    }

    private static X509Certificate certificate(String settings, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new TlsSetupException(settings + ": " + FileErrors.cannotRead(file, e), e);
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException(settings + ": cannot read the certificate in " + file + ": " + e.getMessage(),
                    e);
        }
    }

    private static Optional<byte[]> pkcs8(Path file) {
        try {
            Matcher m = PKCS8.matcher(Files.readString(file, StandardCharsets.US_ASCII));
            return m.find() ? Optional.of(Base64.getMimeDecoder().decode(m.group(1))) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> signatureAlgorithm(String keyAlgorithm) {
        switch (keyAlgorithm) {
            case "RSA":
                return Optional.of("SHA256withRSA");
            case "EC":
                return Optional.of("SHA256withECDSA");
            case "EdDSA":
            case "Ed25519":
                return Optional.of("Ed25519");
            default:
                return Optional.empty();
        }
    }
}
