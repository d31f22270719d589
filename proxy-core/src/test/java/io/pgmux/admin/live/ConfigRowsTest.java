package io.pgmux.admin.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.admin.spi.ConfigRow;
import io.pgmux.config.AuthQueryConfig;
import io.pgmux.config.ConfigException;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.ConfigProblem;
import io.pgmux.config.RestartOnlySetting;
import io.pgmux.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ConfigRowsTest {
    /** Sections of entries the operator names; SHOW DATABASES, USERS, TENANTS and PEERS list them. */
    private static final Set<String> NAMED_SECTIONS = Set.of("databases", "users", "tenants", "peers");
    private static final String UNKNOWN = "zz_not_a_setting";

    /**
     * Every key the reader accepts, asked of the reader itself (the keys its "unknown key" problem lists, at the
     * top and in each section), is a row: a setting added to the file cannot be left out of SHOW CONFIG again.
     */
    @Test
    void everyKeyTheReaderAcceptsIsARow() {
        Set<String> accepted = new TreeSet<>();
        for (String key : acceptedKeys("").orElseThrow()) {
            if (NAMED_SECTIONS.contains(key)) {
                continue;
            }
            acceptedKeys(key).ifPresentOrElse(nested -> nested.forEach(k -> accepted.add(key + "." + k)),
                    () -> accepted.add(key));
        }
        assertTrue(accepted.containsAll(Set.of("transport", "client_tls_sslmode", "listen.port", "hba_file")),
                "the reader's keys were found: " + accepted);
        Set<String> missing = new TreeSet<>(accepted);
        missing.removeAll(ConfigRows.keys());
        assertEquals(Set.of(), missing, "keys the YAML reader accepts but SHOW CONFIG does not list");
    }

    /**
     * The keys the mapping at {@code section} (the top level when empty) accepts, from the problem an unknown key
     * there raises; empty when {@code section} is not a mapping of settings.
     */
    private static Optional<List<String>> acceptedKeys(String section) {
        String yaml = section.isEmpty() ? "databases: {app: {}}\n" + UNKNOWN + ": 1\n"
                : "databases: {app: {}}\n" + section + ": {" + UNKNOWN + ": 1}\n";
        String path = section.isEmpty() ? UNKNOWN : section + "." + UNKNOWN;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yaml", Map.of()));
        String marker = "expected one of: ";
        return e.problems().stream().filter(p -> p.path().equals(path) && p.message().startsWith("unknown key"))
                .map(ConfigProblem::message).findFirst()
                .map(m -> List.of(m.substring(m.indexOf(marker) + marker.length()).split(", ")));
    }

    @Test
    void tlsSettingsShowTheValuesInForceAndKeyFilesOnlyByPath(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "rows");
        Path key = certs.server().key();
        List<ConfigRow> rows = ConfigRows.of(ConfigLoader.parse("databases: {app: {}}\n"
                + "client_tls_sslmode: require\nclient_tls_cert_file: " + certs.server().cert()
                + "\nclient_tls_key_file: " + key + "\n"
                + "client_tls_ciphers: TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384\n"
                + "server_tls_sslmode: require\nserver_tls_sni: false\nserver_tls_protocols: tlsv1.3\n", "test.yaml",
                Map.of()));
        assertEquals(new ConfigRow("client_tls_sslmode", "require", "disable", false), row(rows, "client_tls_sslmode"));
        assertEquals(new ConfigRow("client_tls_key_file", key.toString(), "", false), row(rows, "client_tls_key_file"));
        assertEquals(new ConfigRow("client_tls_ca_file", "", "", false), row(rows, "client_tls_ca_file"));
        assertEquals(new ConfigRow("client_tls_protocols", "tlsv1.2,tlsv1.3", "tlsv1.2,tlsv1.3", false),
                row(rows, "client_tls_protocols"));
        assertEquals(new ConfigRow("client_tls_ciphers", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384", "default",
                false), row(rows, "client_tls_ciphers"));
        assertEquals(new ConfigRow("server_tls_sslmode", "require", "prefer", false), row(rows, "server_tls_sslmode"));
        assertEquals(new ConfigRow("server_tls_sni", "off", "on", false), row(rows, "server_tls_sni"));
        assertEquals(new ConfigRow("server_tls_protocols", "tlsv1.3", "tlsv1.2,tlsv1.3", false),
                row(rows, "server_tls_protocols"));
        String keyText = Files.readString(key);
        String body = keyText.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        assertFalse(rows.stream().anyMatch(r -> r.value().contains(body) || r.value().contains("PRIVATE KEY")),
                "no row shows the key's content");
    }

    @Test
    void authSettingsShowTheLookupAndTheRulesButNoPassword(@TempDir Path dir) throws Exception {
        Path hba = Files.writeString(dir.resolve("pg_hba.conf"), "host all all 0.0.0.0/0 scram-sha-256\n");
        List<ConfigRow> rows = ConfigRows.of(ConfigLoader.parse("databases: {app: {}}\n"
                + "users: [{name: lookup, password: s3cr3t-lookup}]\nauth_user: lookup\nauth_dbname: app\n"
                + "auth_query_cache_ttl: 5s\nallow_password_without_tls: true\nhba_file: " + hba + "\n",
                "test.yaml", Map.of()));
        assertEquals(new ConfigRow("auth_user", "lookup", "", false), row(rows, "auth_user"));
        assertEquals(new ConfigRow("auth_query", AuthQueryConfig.DEFAULT_QUERY, AuthQueryConfig.DEFAULT_QUERY, false),
                row(rows, "auth_query"));
        assertEquals(new ConfigRow("auth_dbname", "app", "", false), row(rows, "auth_dbname"));
        assertEquals(new ConfigRow("auth_query_cache_ttl", "5s", "60s", false), row(rows, "auth_query_cache_ttl"));
        assertEquals(new ConfigRow("allow_password_without_tls", "on", "off", false),
                row(rows, "allow_password_without_tls"));
        assertEquals(new ConfigRow("hba", "", "", false), row(rows, "hba"));
        assertEquals(new ConfigRow("hba_file", hba.toString(), "", false), row(rows, "hba_file"));
        assertEquals(new ConfigRow("auth_hba_file", hba.toString(), "", false), row(rows, "auth_hba_file"));
        assertFalse(rows.stream().anyMatch(r -> r.value().contains("s3cr3t")), "no row shows a password");

        List<ConfigRow> inline = ConfigRows.of(ConfigLoader.parse("databases: {app: {}}\nhba:\n"
                + "  - {type: host, database: all, user: all, address: all, method: scram-sha-256}\n"
                + "  - {type: hostnossl, database: app, user: all, address: all, method: md5}\n", "test.yaml",
                Map.of()));
        assertEquals(new ConfigRow("hba", "2 rules", "", false), row(inline, "hba"));
        assertEquals(new ConfigRow("hba_file", "", "", false), row(inline, "hba_file"));
    }

    @Test
    void logSettingsAreShownWithTheirDefaultsAndChangeLive() {
        List<ConfigRow> rows = ConfigRows.of(ConfigLoader.parse(
                "databases: {app: {}}\nlog_stats: false\nutilization_warn_percent: 95\n", "test.yaml", Map.of()));
        assertEquals(new ConfigRow("log_stats", "off", "on", true), row(rows, "log_stats"));
        assertEquals(new ConfigRow("utilization_warn_percent", "95", "80", true),
                row(rows, "utilization_warn_percent"));
    }

    @Test
    void serverResetQueryAlwaysIsShownOffByDefaultAndChangesLive() {
        List<ConfigRow> rows = ConfigRows.of(ConfigLoader.parse(
                "databases: {app: {}}\nserver_reset_query_always: true\n", "test.yaml", Map.of()));
        assertEquals(new ConfigRow("server_reset_query_always", "on", "off", true),
                row(rows, "server_reset_query_always"));
    }

    @Test
    void soReuseportAndPeerIdAreShownAndNeedARestart() {
        List<ConfigRow> rows = ConfigRows.of(ConfigLoader.parse("listen: {port: 6432, so_reuseport: true}\n"
                + "peer_id: 7\npeers: {7: {host: 127.0.0.1, port: 6447}}\ndatabases: {app: {}}\n", "test.yaml",
                Map.of()));
        assertEquals(new ConfigRow("listen.so_reuseport", "on", "off", false), row(rows, "listen.so_reuseport"));
        assertEquals(new ConfigRow("peer_id", "7", "0", false), row(rows, "peer_id"));
    }

    /** SET answers for these keys that they need a restart, so SHOW CONFIG must list them under the same keys. */
    @Test
    void everyRestartOnlySettingIsShownAsNotChangeable() {
        List<ConfigRow> rows = ConfigRows.of(ConfigLoader.parse("transport: nio\nmetrics: {pgbouncer_compat: true}\n"
                + "databases: {app: {}}\n", "test.yaml", Map.of()));
        for (RestartOnlySetting setting : RestartOnlySetting.values()) {
            assertFalse(row(rows, setting.key()).changeable(), setting.key());
        }
        assertEquals(new ConfigRow("transport", "nio", "auto", false), row(rows, "transport"));
        assertEquals(new ConfigRow("metrics.pgbouncer_compat", "on", "off", false),
                row(rows, "metrics.pgbouncer_compat"));
    }

    private static ConfigRow row(List<ConfigRow> rows, String key) {
        return rows.stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow(() -> new AssertionError(key));
    }
}
