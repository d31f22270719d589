package io.pgmux.admin.live;

import io.pgmux.admin.spi.ConfigRow;
import io.pgmux.config.ClientTlsConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.ServerTlsConfig;
import io.pgmux.config.TlsProtocol;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * SHOW CONFIG's TLS rows under PgBouncer's names: {@code client_tls_*} and the global {@code server_tls_*} (a
 * database's own keys show in its entry, not here). Key and certificate files show as their paths, never their
 * contents; protocols as the file would say them ({@code tlsv1.2,tlsv1.3}); ciphers as {@code default} when the
 * TLS provider's defaults apply, else the suites separated by {@code :}.
 */
final class TlsRows {
    private TlsRows() {
    }

    static void add(List<ConfigRow> rows, PgmuxConfig config, PgmuxConfig defaults) {
        ClientTlsConfig c = config.clientTls();
        ClientTlsConfig cd = defaults.clientTls();
        rows.add(ConfigRows.live("client_tls_sslmode", c.sslmode().configName(), cd.sslmode().configName()));
        rows.add(ConfigRows.live("client_tls_cert_file", path(c.certFile()), path(cd.certFile())));
        rows.add(ConfigRows.live("client_tls_key_file", path(c.keyFile()), path(cd.keyFile())));
        rows.add(ConfigRows.live("client_tls_ca_file", path(c.caFile()), path(cd.caFile())));
        rows.add(ConfigRows.live("client_tls_protocols", protocols(c.protocols()), protocols(cd.protocols())));
        rows.add(ConfigRows.live("client_tls_ciphers", ciphers(c.ciphers()), ciphers(cd.ciphers())));
        ServerTlsConfig s = config.serverTls();
        ServerTlsConfig sd = defaults.serverTls();
        rows.add(ConfigRows.live("server_tls_sslmode", s.sslmode().configName(), sd.sslmode().configName()));
        rows.add(ConfigRows.live("server_tls_ca_file", path(s.caFile()), path(sd.caFile())));
        rows.add(ConfigRows.live("server_tls_cert_file", path(s.certFile()), path(sd.certFile())));
        rows.add(ConfigRows.live("server_tls_key_file", path(s.keyFile()), path(sd.keyFile())));
        rows.add(ConfigRows.live("server_tls_sni", ConfigRows.onOff(s.sni()), ConfigRows.onOff(sd.sni())));
        rows.add(ConfigRows.live("server_tls_protocols", protocols(s.protocols()), protocols(sd.protocols())));
        rows.add(ConfigRows.live("server_tls_ciphers", ciphers(s.ciphers()), ciphers(sd.ciphers())));
    }

    private static String path(Optional<Path> file) {
        return file.map(Path::toString).orElse("");
    }

    private static String protocols(Set<TlsProtocol> protocols) {
        return Stream.of(TlsProtocol.values()).filter(protocols::contains)
                .map(p -> p.jdkName().toLowerCase(Locale.ROOT)).collect(Collectors.joining(","));
    }

    private static String ciphers(List<String> ciphers) {
        return ciphers.isEmpty() ? "default" : String.join(":", ciphers);
    }
}
