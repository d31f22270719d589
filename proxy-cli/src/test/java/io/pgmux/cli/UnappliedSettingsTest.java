package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** run refuses settings it would silently ignore: unencrypted "require", unchecked access rules. */
class UnappliedSettingsTest {
    private static PgmuxConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "test.yaml", Map.of());
    }

    @Test
    void theShippedExamplesRun() {
        for (String example : new String[] {"pgmux.yaml", "minimal.yaml", "tenants.yaml"}) {
            PgmuxConfig config = ConfigLoader.load(Path.of("../config/examples").resolve(example));
            assertEquals(List.of(), UnappliedSettings.in(config), example);
        }
    }

    @Test
    void defaultsAndWhatIsAppliedPass() {
        assertEquals(List.of(), UnappliedSettings.in(parse("""
                auth_type: md5
                server_tls_sslmode: prefer
                databases: {app: {server_tls_sslmode: disable}}
                users: [{name: api, password: pw}]
                """)));
    }

    @Test
    void listsEverySettingThatIsNotAppliedYet() {
        List<String> found = UnappliedSettings.in(parse("""
                server_tls_sslmode: require
                databases:
                  app: {auth_user: lookup}
                  strict: {server_tls_sslmode: verify-full}
                users:
                  - {name: lookup, password: pw}
                  - {name: api, server_user: api_rw}
                hba: [{type: host, database: all, user: all, address: all, method: md5}]
                """));
        assertEquals(List.of(
                "server_tls_sslmode require (server connections do not use TLS)",
                "databases.app.auth_user (auth_query is not run)",
                "databases.strict.server_tls_sslmode verify-full (server connections do not use TLS)",
                "hba / hba_file (the access rules are not checked)",
                "users api: server_user / server_password (the server login uses the client's name and password)"),
                found);
        assertEquals(List.of("databases.app.auth_type (only the global auth_type is applied)",
                "auth_type reject",
                "users api: auth_type (only the global auth_type is applied)"),
                UnappliedSettings.in(parse("""
                        auth_type: reject
                        databases: {app: {auth_type: md5}}
                        users: [{name: api, auth_type: trust}]
                        """)));
    }
}
