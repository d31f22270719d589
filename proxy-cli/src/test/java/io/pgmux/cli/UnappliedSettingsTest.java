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
    void tlsAccessRulesMethodsAndServerLoginsAreApplied() {
        assertEquals(List.of(), UnappliedSettings.in(parse("""
                server_tls_sslmode: require
                databases:
                  app: {}
                  strict: {server_tls_sslmode: verify-full}
                users:
                  - {name: api, server_user: api_rw}
                hba: [{type: host, database: all, user: all, address: all, method: md5}]
                """)));
        assertEquals(List.of(), UnappliedSettings.in(parse("""
                auth_type: reject
                databases: {app: {auth_type: md5}}
                users: [{name: api, auth_type: trust}]
                """)));
    }

    @Test
    void authQueryIsApplied() {
        assertEquals(List.of(), UnappliedSettings.in(parse("""
                auth_user: lookup
                databases:
                  app: {auth_user: lookup}
                users:
                  - {name: lookup, password: pw}
                """)));
    }
}
