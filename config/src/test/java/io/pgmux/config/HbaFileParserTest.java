package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** pg_hba.conf as PostgreSQL writes it, and every construct pgmux refuses, each with its line. */
final class HbaFileParserTest {
    private static List<HbaRule> rules(String text) {
        HbaFileParser.Result result = HbaFileParser.parse(text);
        assertEquals(List.of(), result.errors());
        return result.rules();
    }

    private static HbaFileParser.LineError onlyError(String text) {
        HbaFileParser.Result result = HbaFileParser.parse(text);
        assertEquals(1, result.errors().size(), result.errors()::toString);
        return result.errors().get(0);
    }

    @Test
    void readsATypicalFile() {
        List<HbaRule> rules = rules("""
                # TYPE  DATABASE        USER            ADDRESS                 METHOD

                hostssl all             all             0.0.0.0/0               scram-sha-256
                host    app,reports     api, batch      10.0.0.0 255.0.0.0      md5   # trailing comment
                hostnossl sameuser      all             ::1/128                 trust
                host    all             "+admins"       all                     reject
                """);
        assertEquals(4, rules.size());
        HbaRule first = rules.get(0);
        assertEquals(3, first.line());
        assertEquals(HbaConnectionType.HOSTSSL, first.type());
        assertEquals(Set.of(HbaNames.Keyword.ALL), first.databases().keywords());
        assertEquals(AuthType.SCRAM_SHA_256, first.method());

        HbaRule second = rules.get(1);
        assertEquals(4, second.line());
        assertEquals(Set.of("app", "reports"), second.databases().names());
        assertEquals(Set.of("api", "batch"), second.users().names());
        assertEquals(HbaAddress.parseCidr("10.0.0.0/8", false), second.address());
        assertEquals(AuthType.MD5, second.method());

        assertEquals(Set.of(HbaNames.Keyword.SAMEUSER), rules.get(2).databases().keywords());
        assertEquals(HbaConnectionType.HOSTNOSSL, rules.get(2).type());
        // Quoted, "+admins" is a plain user name.
        assertEquals(Set.of("+admins"), rules.get(3).users().names());
        assertEquals(AuthType.REJECT, rules.get(3).method());
    }

    @Test
    void quotesMakeKeywordsNamesAndKeepBlanksAndCommas() {
        List<HbaRule> rules = rules("host \"all\",\"my db\",\"a,b\" \"say \"\"hi\"\"\" all md5\n"
                .replace(" all md5", " 10.0.0.0/8 md5"));
        HbaRule rule = rules.get(0);
        assertEquals(Set.of("all", "my db", "a,b"), rule.databases().names());
        assertEquals(Set.of(), rule.databases().keywords());
        assertEquals(Set.of("say \"hi\""), rule.users().names());
    }

    @Test
    void keywordsAndMethodsIgnoreCaseNamesDoNot() {
        HbaRule rule = rules("HOST ALL App 127.0.0.1/32 SCRAM-SHA-256\n").get(0);
        assertEquals(Set.of(HbaNames.Keyword.ALL), rule.databases().keywords());
        assertEquals(Set.of("App"), rule.users().names());
        assertEquals(AuthType.SCRAM_SHA_256, rule.method());
    }

    @Test
    void backslashContinuesARule() {
        List<HbaRule> rules = rules("host all \\\n  all 10.0.0.0/8 \\\n  md5\nhost all all all trust\n");
        assertEquals(2, rules.size());
        assertEquals(1, rules.get(0).line());
        assertEquals(4, rules.get(1).line());
    }

    @Test
    void blanksAfterACommaContinueTheList() {
        HbaRule rule = rules("host app, reports,  \"x y\" api 10.0.0.0/8 md5\n").get(0);
        assertEquals(Set.of("app", "reports", "x y"), rule.databases().names());
        assertEquals(Set.of("api"), rule.users().names());
    }

    @Test
    void hostnogssencIsHostBecausePgmuxNeverEncryptsWithGss() {
        assertEquals(HbaConnectionType.HOST, rules("hostnogssenc all all all md5\n").get(0).type());
    }

    @Test
    void crlfLineEndsAreFine() {
        assertEquals(2, rules("host all all all md5\r\nhost all all all trust\r\n").size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "local all all peer | local rules are not supported: pgmux accepts TCP connections only",
        "hostgssenc all all all md5 | hostgssenc rules are not supported",
        "hostx all all all md5 | unknown connection type \"hostx\"; expected host, hostssl or hostnossl",
        "host all all all peer | method \"peer\" is not supported by pgmux",
        "host all all all ldap ldapserver=x | method \"ldap\" is not supported by pgmux",
        "host all all all magic | unknown method \"magic\"",
        "host all all all md5 clientcert=verify-full | options after the method are not supported by pgmux",
        "host all +admins all md5 | \"+admins\": +group is not supported",
        "host all @users.txt all md5 | \"@users.txt\": @file includes are not supported",
        "host @dbs.txt all all md5 | @file includes are not supported; list the database names",
        "host samerole all all md5 | samerole is not supported",
        "host replication all all md5 | replication connections are not supported by pgmux",
        "host /^db all all md5 | regular expressions are not supported",
        "host all all db.example.com md5 | \"db.example.com\" is not an IP address: host names are not supported",
        "host all all samenet md5 | samenet is not supported; write the network in CIDR form",
        "host all all 10.0.0.1 md5 | the address 10.0.0.1 needs a CIDR suffix or a netmask column",
        "host all all 10.0.0.0 255.0.255.0 md5 | is not contiguous",
        "host all all 10.0.0.0/40 md5 | is not a CIDR prefix length from 0 to 32",
        "host all all all | a rule needs TYPE DATABASE USER ADDRESS METHOD; this one ends after 4 fields",
        "host all all, # comment | a list ends with a comma",
        "host \"all all all md5 | unterminated double quote",
        "host all all all cert | cert authentication is only supported on hostssl rules",
        "host all all,+x all md5 | +group is not supported",
        "host \"\" all all md5 | empty database name",
    })
    void refusesWhatPgmuxCannotHonourWithTheReason(String line, String message) {
        HbaFileParser.LineError error = onlyError("# header\n\n" + line + "\n");
        assertEquals(3, error.line());
        assertTrue(error.message().contains(message), error.message());
    }

    @Test
    void everyBadLineIsReportedAndGoodOnesStillRead() {
        HbaFileParser.Result result = HbaFileParser.parse("""
                host all all all md5
                local all all peer
                host all all all trust
                host all +x all md5
                """);
        assertEquals(List.of(2, 4), result.errors().stream().map(HbaFileParser.LineError::line).toList());
        assertEquals(2, result.rules().size());
    }

    @Test
    void aFileWithoutRulesIsAnError() {
        HbaFileParser.LineError error = onlyError("# nothing but comments\n\n   \n");
        assertEquals(0, error.line());
        assertEquals("the file contains no rules, so every connection would be refused", error.message());
    }
}
