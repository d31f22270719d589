package io.pgmux.config;

import static io.pgmux.config.TestConfigs.assertProblem;
import static io.pgmux.config.TestConfigs.onlyProblem;
import static io.pgmux.config.TestConfigs.parse;
import static io.pgmux.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hba in the YAML file and hba_file in pg_hba.conf format, as the loader reads and checks them. */
final class HbaConfigTest {
    @Test
    void rulesInTheYamlFile() throws IOException {
        PgmuxConfig config = parse("""
                databases: {app: {}, reports: {}}
                hba:
                  - {type: host, database: app, user: [api, batch], address: 10.0.0.0/8, method: scram-sha-256}
                  - {type: hostnossl, database: "app,reports", user: all, address: 127.0.0.1, method: trust}
                  - type: host
                    database: all
                    user: all
                    address: all
                    method: reject
                """);
        AccessRules rules = config.hba().orElseThrow();
        assertEquals("pgmux.yaml", rules.source());
        assertEquals(List.of(3, 4, 5), rules.rules().stream().map(HbaRule::line).toList());
        HbaRule first = rules.rules().get(0);
        assertEquals(Set.of("api", "batch"), first.users().names());
        assertEquals(Set.of("app", "reports"), rules.rules().get(1).databases().names());
        assertEquals(AuthType.REJECT, rules.firstMatch(ConnectionEncryption.NONE, "app", "api",
                InetAddress.getByName("192.0.2.1")).orElseThrow().method());
        assertEquals(AuthType.TRUST, rules.firstMatch(ConnectionEncryption.NONE, "reports", "x",
                InetAddress.getByName("127.0.0.1")).orElseThrow().method());
    }

    @Test
    void yamlRuleProblemsNameTheKey() {
        ConfigException e = problems("""
                databases: {app: {}}
                hba:
                  - {type: local, database: all, user: all, address: all, method: trust}
                  - {type: host, database: all, user: +admins, address: db.example.com, method: peer}
                  - {type: host, user: all, address: all, method: md5, options: x}
                  - {type: host, database: all, user: all, address: all, method: cert}
                """);
        assertProblem(e, "hba[0].type", 3, "local rules are not supported");
        assertProblem(e, "hba[1].user", 4, "+group is not supported");
        assertProblem(e, "hba[1].address", 4, "\"db.example.com\" is not an IP address");
        assertProblem(e, "hba[1].method", 4, "method \"peer\" is not supported by pgmux");
        assertProblem(e, "hba[2].database", 5, "required");
        assertProblem(e, "hba[2].options", 5, "unknown key; expected one of: type, database, user, address, method");
        assertProblem(e, "hba[3].method", 6, "cert authentication is only supported on hostssl rules");
        assertEquals(7, e.problems().size(), e.getMessage());
    }

    @Test
    void anEmptyListWouldRefuseEveryone() {
        assertProblem(problems("databases: {app: {}}\nhba: []\n"), "hba", 2, "at least one rule is required");
    }

    @Test
    void rulesDecideSoAuthTypeBesideThemIsAnError() {
        ConfigException e = problems("""
                auth_type: md5
                databases: {app: {auth_type: trust}}
                users: [{name: api, auth_type: md5}]
                hba: [{type: host, database: all, user: all, address: all, method: scram-sha-256}]
                """);
        assertEquals(3, e.problems().size(), e.getMessage());
        assertProblem(e, "auth_type", 1, "has no effect: the access rules (hba) decide the method");
        assertProblem(e, "databases.app.auth_type", 2, "has no effect");
        assertProblem(e, "users[0].auth_type", 3, "has no effect");
    }

    @Test
    void rulesThatCouldNeverMatchOrSucceedAreErrors() {
        ConfigException e = problems("""
                databases: {app: {}}
                hba:
                  - {type: hostssl, database: all, user: all, address: all, method: scram-sha-256}
                  - {type: host, database: all, user: all, address: all, method: password}
                """);
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, "hba[0]", 3, "a hostssl rule can never match: client_tls_sslmode is disable");
        assertProblem(e, "hba[1]", 4, "allow_password_without_tls");
    }

    @Test
    void passwordOnPlainRulesIsFineWhenAllowed() {
        PgmuxConfig config = parse("""
                allow_password_without_tls: yes
                databases: {app: {}}
                hba: [{type: host, database: all, user: all, address: all, method: password}]
                """);
        assertEquals(AuthType.PASSWORD, config.hba().orElseThrow().rules().get(0).method());
    }

    @Test
    void hbaFileIsReadRelativeToTheConfiguration(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("pg_hba.conf"), """
                # pgmux access rules
                host all all 10.0.0.0/8 scram-sha-256
                host all all all        reject
                """);
        PgmuxConfig config = TestConfigs.parseIn(dir, "databases: {app: {}}\nhba_file: pg_hba.conf\n");
        AccessRules rules = config.hba().orElseThrow();
        assertEquals(dir.resolve("pg_hba.conf").toString(), rules.source());
        assertEquals(List.of(2, 3), rules.rules().stream().map(HbaRule::line).toList());
    }

    @Test
    void problemsInTheHbaFileCarryItsNameAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pg_hba.conf");
        Files.writeString(file, """
                host all all all md5
                local all postgres peer
                host all +admins all md5
                """);
        ConfigException e = TestConfigs.problemsIn(dir, "databases: {app: {}}\nworkers: -1\nhba_file: pg_hba.conf\n");
        assertEquals(3, e.problems().size(), e.getMessage());
        // The configuration file's own problems first, then the rules file's, each in line order.
        assertEquals("pgmux.yaml:2: workers: expected a non-negative integer, got \"-1\"",
                e.problems().get(0).toString());
        assertEquals(file + ":2: local rules are not supported: pgmux accepts TCP connections only, so the rule"
                + " could never match; remove it", e.problems().get(1).toString());
        assertEquals(file + ":3: \"+admins\": +group is not supported: pgmux knows no role membership; list the"
                + " users", e.problems().get(2).toString());
    }

    @Test
    void hbaFileProblemsAtLoad(@TempDir Path dir) throws IOException {
        assertProblem(TestConfigs.problemsIn(dir, "databases: {app: {}}\nhba_file: missing.conf\n"), "hba_file", 2,
                "cannot read " + dir.resolve("missing.conf") + ": no such file");
        Files.writeString(dir.resolve("empty.conf"), "# nothing\n");
        ConfigProblem empty = onlyProblem(TestConfigs.problemsIn(dir, "databases: {app: {}}\nhba_file: empty.conf\n"));
        assertEquals(dir.resolve("empty.conf") + ": the file contains no rules, so every connection would be"
                + " refused", empty.toString());
        assertProblem(TestConfigs.problemsIn(dir, """
                databases: {app: {}}
                hba: [{type: host, database: all, user: all, address: all, method: md5}]
                hba_file: empty.conf
                """), "hba_file", 3, "set either hba (rules in this file) or hba_file (a pg_hba.conf), not both");
    }

    @Test
    void hbaFileRulesAreCheckedAgainstTheRestOfTheConfiguration(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pg_hba.conf");
        Files.writeString(file, "host all all all md5\nhostssl all all all cert\n");
        ConfigProblem problem =
                onlyProblem(TestConfigs.problemsIn(dir, "databases: {app: {}}\nhba_file: pg_hba.conf\n"));
        assertEquals(file + ":2: a hostssl rule can never match: client_tls_sslmode is disable", problem.toString());
    }
}
