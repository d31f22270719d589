package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The first matching rule decides; nothing matching means refusal. */
final class AccessRulesTest {
    private static final AccessRules RULES = new AccessRules("pg_hba.conf", HbaFileParser.parse("""
            hostnossl all      all      127.0.0.1/32  trust
            host      app      api      10.0.0.0/8    md5
            hostssl   sameuser all      all           scram-sha-256
            host      all      gone     all           reject
            hostssl   app      all      ::/0          cert
            host      all      all      10.0.0.0/8    password
            """).rules());

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @CsvSource({
        // encryption, database, user, address -> line of the deciding rule (0: no rule, refused)
        "NONE, app,   api,   127.0.0.1,  1",
        "TLS,  app,   api,   127.0.0.1,  0",   // hostnossl does not cover TLS; nothing else covers 127.0.0.1
        "TLS,  app,   api,   10.1.1.1,   2",
        "NONE, app,   api,   10.1.1.1,   2",
        "TLS,  bob,   bob,   192.0.2.1,  3",   // sameuser
        "TLS,  app,   bob,   192.0.2.1,  0",
        "NONE, bob,   bob,   192.0.2.1,  0",   // hostssl does not cover a plain connection
        "NONE, app,   gone,  192.0.2.1,  4",
        "TLS,  app,   gone,  192.0.2.1,  4",   // reject comes before the cert rule
        "TLS,  app,   bob,   2001:db8::1, 5",
        "NONE, app,   bob,   10.2.3.4,   6",
        "NONE, other, bob,   10.2.3.4,   6",
    })
    void firstMatchingRuleDecides(ConnectionEncryption encryption, String database, String user, String address,
                                  int line) {
        Optional<HbaRule> rule = RULES.firstMatch(encryption, database, user, ip(address));
        assertEquals(line, rule.map(HbaRule::line).orElse(0));
    }

    @Test
    void namesAreCaseSensitive() {
        assertEquals(Optional.empty(), RULES.firstMatch(ConnectionEncryption.NONE, "APP", "api", ip("10.1.1.1"))
                .filter(rule -> rule.line() == 2));
    }

    @Test
    void postgresWordingOfTheEncryption() {
        assertEquals("SSL encryption", ConnectionEncryption.TLS.postgresWording());
        assertEquals("no encryption", ConnectionEncryption.NONE.postgresWording());
    }
}
