package io.pgmux.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the TLS settings under PgBouncer's names: {@code client_tls_*} at the top level, {@code server_tls_*} at
 * the top level and per database (a database's keys override the global ones one by one). Files must be readable
 * PEM of the right kind; modes that need a file must have it.
 */
final class TlsBinder {
    private TlsBinder() {
    }

    static ClientTlsConfig client(YamlMap top, NodeReader reader) {
        ClientTlsConfig d = ClientTlsConfig.disabled();
        SslMode sslmode = top.get("client_tls_sslmode", ValueType.sslMode(), d.sslmode());
        Optional<Path> cert = file(top, reader, "client_tls_cert_file", PemFiles.Kind.CERTIFICATES);
        Optional<Path> key = file(top, reader, "client_tls_key_file", PemFiles.Kind.PRIVATE_KEY);
        Optional<Path> ca = file(top, reader, "client_tls_ca_file", PemFiles.Kind.CERTIFICATES);
        Set<TlsProtocol> protocols = top.get("client_tls_protocols", ValueType.tlsProtocols(), d.protocols());
        List<String> ciphers = top.get("client_tls_ciphers", ValueType.cipherSuites(), d.ciphers());

        if (sslmode != SslMode.DISABLE && !top.failed("client_tls_sslmode")) {
            String why = "client_tls_sslmode " + sslmode.configName() + " needs it (pgmux's certificate and key)";
            requireFile(top, cert, "client_tls_cert_file", why);
            requireFile(top, key, "client_tls_key_file", why);
        }
        if (sslmode.verifiesCertificate()) {
            requireFile(top, ca, "client_tls_ca_file", "client_tls_sslmode " + sslmode.configName()
                    + " checks client certificates against it");
        }
        return new ClientTlsConfig(sslmode, cert, key, ca, protocols, ciphers);
    }

    /**
     * The {@code server_tls_*} keys of {@code m} (the top level, or one database), each absent key taken from
     * {@code fallback}.
     */
    static ServerTlsConfig server(YamlMap m, NodeReader reader, ServerTlsConfig fallback) {
        SslMode sslmode = m.get("server_tls_sslmode", ValueType.sslMode(), fallback.sslmode());
        Optional<Path> ca = file(m, reader, "server_tls_ca_file", PemFiles.Kind.CERTIFICATES).or(fallback::caFile);
        Optional<Path> cert = file(m, reader, "server_tls_cert_file", PemFiles.Kind.CERTIFICATES)
                .or(fallback::certFile);
        Optional<Path> key = file(m, reader, "server_tls_key_file", PemFiles.Kind.PRIVATE_KEY).or(fallback::keyFile);
        boolean sni = m.get("server_tls_sni", ValueType.bool(), fallback.sni());
        Set<TlsProtocol> protocols = m.get("server_tls_protocols", ValueType.tlsProtocols(), fallback.protocols());
        List<String> ciphers = m.get("server_tls_ciphers", ValueType.cipherSuites(), fallback.ciphers());

        boolean written = m.has("server_tls_sslmode") || m.has("server_tls_ca_file")
                || m.has("server_tls_cert_file") || m.has("server_tls_key_file");
        if (written && !m.failed("server_tls_sslmode", "server_tls_ca_file")) {
            if (sslmode == SslMode.VERIFY_CA && ca.isEmpty()) {
                // verify-full may fall back to the JDK's public CAs because it also checks the host name; a chain
                // check alone against every public CA would accept any certificate anyone can buy.
                m.problem(m.has("server_tls_sslmode") ? "server_tls_sslmode" : "server_tls_ca_file",
                        "server_tls_sslmode verify-ca needs server_tls_ca_file (the CA that signed the server's"
                                + " certificate); or use verify-full, which also checks the host name and then"
                                + " accepts the JDK's public CAs");
            }
        }
        if (!m.failed("server_tls_cert_file", "server_tls_key_file") && cert.isPresent() != key.isPresent()
                && (m.has("server_tls_cert_file") || m.has("server_tls_key_file"))) {
            String missing = cert.isPresent() ? "server_tls_key_file" : "server_tls_cert_file";
            String present = cert.isPresent() ? "server_tls_cert_file" : "server_tls_key_file";
            m.problem(present, "a client certificate needs both server_tls_cert_file and server_tls_key_file; "
                    + missing + " is not set");
        }
        return new ServerTlsConfig(sslmode, ca, cert, key, sni, protocols, ciphers);
    }

    private static Optional<Path> file(YamlMap m, NodeReader reader, String key, PemFiles.Kind kind) {
        Optional<Path> path = m.get(key, ValueType.nonEmptyString()).map(reader::resolve);
        if (path.isEmpty()) {
            return path;
        }
        Optional<String> problem = PemFiles.check(path.get(), kind);
        problem.ifPresent(p -> m.problem(key, p));
        return problem.isPresent() ? Optional.empty() : path;
    }

    private static void requireFile(YamlMap m, Optional<Path> file, String key, String why) {
        if (file.isEmpty() && !m.failed(key)) {
            m.problem(key, "required: " + why);
        }
    }
}
