package io.pgmux.tls;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the CAs that verify a server's certificate come from, in the words of the side that checks it, so that a
 * failed check can name what to change: pgmux towards a database ({@link #serverTls}) or a client of pgmux's own
 * towards pgmux (the {@code status} command).
 *
 * @param caSetting       the setting that names the CA file, e.g. {@code server_tls_ca_file}
 * @param caFile          that file; empty: the Java runtime's trusted CAs
 * @param sslmodeSetting  the setting that asks for the check, e.g. {@code server_tls_sslmode}
 * @param hostSetting     where the host name checked comes from, e.g. "the database's host"
 * @param peerCertificate where the certificate checked is configured, e.g. "the database's ssl_cert_file"
 */
public record TrustedCas(String caSetting, Optional<Path> caFile, String sslmodeSetting, String hostSetting,
                         String peerCertificate) {
    public TrustedCas {
        Objects.requireNonNull(caSetting, "caSetting");
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(sslmodeSetting, "sslmodeSetting");
        Objects.requireNonNull(hostSetting, "hostSetting");
        Objects.requireNonNull(peerCertificate, "peerCertificate");
    }

    /** pgmux checking a database's certificate ({@code server_tls_*}). */
    public static TrustedCas serverTls(Optional<Path> caFile) {
        return new TrustedCas("server_tls_ca_file", caFile, "server_tls_sslmode", "the database's host",
                "the database's certificate (PostgreSQL's ssl_cert_file)");
    }

    /** The CAs, for a message: {@code server_tls_ca_file (/etc/pgmux/ca.pem)} or the Java runtime's. */
    String describe() {
        return caFile.map(file -> caSetting + " (" + file + ")").orElse("the Java runtime's trusted CAs");
    }
}
