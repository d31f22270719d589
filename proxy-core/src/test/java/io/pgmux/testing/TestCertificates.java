package io.pgmux.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A throwaway certificate authority for TLS tests, made with the {@code openssl} command (the JDK has no API to
 * issue certificates, and Netty's SelfSignedCertificate makes only self-signed ones): a CA, a server certificate
 * for {@code localhost}, 127.0.0.1 and ::1, and client certificates on demand. Keys are EC P-256 in unencrypted
 * PKCS#8 PEM, the form pgmux reads; all files live in the directory given, which the test owns.
 */
public final class TestCertificates {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate and its private key, as PEM files. */
    public record Pair(Path cert, Path key) {
    }

    private static final String SERVER_EXTENSIONS =
            "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n";

    private final Path dir;
    private final String name;
    private final Pair ca;
    private final Pair server;

    private TestCertificates(Path dir, String name, Pair ca, Pair server) {
        this.dir = dir;
        this.name = name;
        this.ca = ca;
        this.server = server;
    }

    /** A CA named {@code name} and a server certificate it signed, written to {@code dir}. */
    public static TestCertificates create(Path dir, String name) {
        Pair ca = new Pair(dir.resolve(name + "-ca.crt"), dir.resolve(name + "-ca.key"));
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", ca.key().toString(), "-out", ca.cert().toString(), "-days", "3650",
                "-subj", "/CN=" + name + " test CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        TestCertificates authority = new TestCertificates(dir, name, ca, null);
        Pair server = authority.issue("localhost", "server", SERVER_EXTENSIONS, 3650);
        return new TestCertificates(dir, name, ca, server);
    }

    /** The CA certificate, for {@code *_tls_ca_file}. */
    public Path caCert() {
        return ca.cert();
    }

    /** The server certificate (CN and SAN localhost, SAN 127.0.0.1 and ::1) and its key. */
    public Pair server() {
        return server;
    }

    /**
     * A server certificate like {@link #server()}, signed by this CA, that expired before it was made: openssl 3.0's
     * x509 command sets no end date of its own, but {@code -days -1} ends the validity a day before its start, which
     * the JDK reports as it does any lapsed certificate.
     */
    public Pair expiredServer() {
        return issue("localhost", "expired-server", SERVER_EXTENSIONS, -1);
    }

    /** A client certificate with {@code commonName} as its subject's CN, signed by this CA. */
    public Pair client(String commonName) {
        return issue(commonName, "client-" + commonName.replaceAll("[^A-Za-z0-9]", "_"),
                "extendedKeyUsage=clientAuth\n", 3650);
    }

    /** Reads the first certificate of a PEM file. */
    public static X509Certificate load(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not a certificate: " + pem, e);
        }
    }

    private Pair issue(String commonName, String fileStem, String extensions, int days) {
        Pair pair = new Pair(dir.resolve(name + "-" + fileStem + ".crt"), dir.resolve(name + "-" + fileStem + ".key"));
        Path csr = dir.resolve(name + "-" + fileStem + ".csr");
        Path ext = dir.resolve(name + "-" + fileStem + ".ext");
        try {
            Files.writeString(ext, "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n" + extensions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                pair.key().toString());
        openssl(dir, "req", "-new", "-key", pair.key().toString(), "-subj", "/CN=" + commonName, "-out",
                csr.toString());
        byte[] serial = new byte[8];
        RANDOM.nextBytes(serial);
        serial[0] &= 0x7F;
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(), "-CAkey",
                ca.key().toString(), "-set_serial", "0x" + HexFormat.of().formatHex(serial),
                "-days", Integer.toString(days),
                "-extfile", ext.toString(), "-out", pair.cert().toString());
        return pair;
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        ProcessRunner.Result result;
        try {
            result = ProcessRunner.run(command, dir, TIMEOUT);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("TLS tests need the openssl command (Debian: apt-get install openssl;"
                    + " .ci/run installs it)", e);
        }
        result.orThrow();
    }
}
