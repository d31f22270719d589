package io.pgmux.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks, when the configuration is loaded, that a TLS file named in it can be read and holds what it should, so
 * a wrong path or a key in a format pgmux cannot read is reported with the setting's line rather than at the
 * first TLS handshake. Only the PEM framing is checked here; the TLS layer parses the contents when it starts.
 */
final class PemFiles {
    /** What a file must contain. */
    enum Kind {
        /** One or more certificates: a chain, leaf first, or a CA bundle. */
        CERTIFICATES,
        /** One unencrypted PKCS#8 private key, the form Netty reads without further libraries. */
        PRIVATE_KEY
    }

    private static final String CERTIFICATE = "-----BEGIN CERTIFICATE-----";
    private static final String PKCS8_KEY = "-----BEGIN PRIVATE KEY-----";
    private static final String CONVERT = "; convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8";

    private PemFiles() {
    }

    /** What is wrong with {@code file} for {@code kind}; empty when it is usable. */
    static Optional<String> check(Path file, Kind kind) {
        String text;
        try {
            // Certificates and keys are a few kB; a huge file here is a mistake, not a certificate.
            if (Files.size(file) > 1 << 20) {
                return Optional.of(file + " is larger than 1MB, which no PEM certificate or key file is");
            }
            // PEM is ASCII; Latin-1 maps every byte, so a binary (DER) file reads and is said to hold no PEM.
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return Optional.of(FileErrors.cannotRead(file, e));
        }
        if (kind == Kind.CERTIFICATES) {
            return text.contains(CERTIFICATE) ? Optional.empty()
                    : Optional.of(file + " holds no PEM certificate (" + CERTIFICATE + ")");
        }
        if (text.contains(PKCS8_KEY)) {
            return Optional.empty();
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            return Optional.of(file + " holds an encrypted key; pgmux reads unencrypted keys (protect the file"
                    + " instead)" + CONVERT);
        }
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            return Optional.of(file + " holds a key in the traditional OpenSSL form; pgmux reads PKCS#8 ("
                    + PKCS8_KEY + ")" + CONVERT);
        }
        return Optional.of(file + " holds no PEM private key (" + PKCS8_KEY + ")");
    }
}
