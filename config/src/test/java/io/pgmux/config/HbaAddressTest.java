package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class HbaAddressTest {
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/8,      10.255.1.2,    true",
        "10.0.0.0/8,      11.0.0.1,      false",
        "192.168.1.7/32,  192.168.1.7,   true",
        "192.168.1.7/32,  192.168.1.8,   false",
        "192.168.1.77/24, 192.168.1.3,   true",   // host bits in the rule are ignored, as by PostgreSQL
        "0.0.0.0/0,       203.0.113.9,   true",
        "0.0.0.0/0,       ::1,           false",  // an IPv4 rule never matches an IPv6 client
        "::1/128,         ::1,           true",
        "::1/128,         127.0.0.1,     false",
        "fd00::/8,        fd12:3456::1,  true",
        "fd00::/8,        fe80::1,       false",
        "::/0,            2001:db8::1,   true",
        "172.16.0.0/12,   172.31.255.255, true",
        "172.16.0.0/12,   172.32.0.0,    false",
    })
    void cidrMatchesItsNetwork(String cidr, String client, boolean matches) {
        assertEquals(matches, HbaAddress.parseCidr(cidr, false).matches(ip(client)));
    }

    @Test
    void allMatchesEveryone() {
        assertTrue(HbaAddress.all().isAll());
        assertTrue(HbaAddress.all().matches(ip("203.0.113.1")));
        assertTrue(HbaAddress.all().matches(ip("2001:db8::1")));
        assertEquals("all", HbaAddress.all().toString());
    }

    @Test
    void bareAddressIsOneHostOnlyWhereAllowed() {
        HbaAddress host = HbaAddress.parseCidr("10.1.2.3", true);
        assertTrue(host.matches(ip("10.1.2.3")));
        assertFalse(host.matches(ip("10.1.2.4")));
        assertEquals("10.1.2.3/32", host.toString());
        assertEquals(HbaAddress.parseCidr("::1/128", false), HbaAddress.parseCidr("::1", true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HbaAddress.parseCidr("10.1.2.3", false));
        assertEquals("the address 10.1.2.3 needs a CIDR suffix (/32 for this host alone) or a netmask column",
                e.getMessage());
    }

    @Test
    void netmaskColumnIsTheSameAsCidr() {
        assertEquals(HbaAddress.parseCidr("192.168.0.0/16", false), HbaAddress.withMask("192.168.0.0", "255.255.0.0"));
        assertEquals(HbaAddress.parseCidr("0.0.0.0/0", false), HbaAddress.withMask("0.0.0.0", "0.0.0.0"));
        assertEquals(HbaAddress.parseCidr("fe80::/10", false), HbaAddress.withMask("fe80::", "ffc0::"));
        assertThrows(IllegalArgumentException.class, () -> HbaAddress.withMask("10.0.0.0", "255.0.255.0"));
        assertThrows(IllegalArgumentException.class, () -> HbaAddress.withMask("10.0.0.0", "ffff::"));
        assertThrows(IllegalArgumentException.class, () -> HbaAddress.withMask("10.0.0.0", "example.com"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/a", "256.0.0.1/8",
        "10.0.0/8", "db.example.com/32", "localhost", "fe80::1%eth0/64", "1:2:3/64", ":::/0"})
    void badNetworksAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> HbaAddress.parseCidr(text, true));
    }

    @Test
    void hostNamesAreNeverLookedUp() {
        // "localhost" would resolve; as a literal parser it must not.
        assertEquals(Optional.empty(), HbaAddress.parseLiteral("localhost"));
        assertEquals(Optional.empty(), HbaAddress.parseLiteral("cafe"));
        assertEquals(Optional.empty(), HbaAddress.parseLiteral(".:"));
        assertEquals(Optional.of(ip("::1")), HbaAddress.parseLiteral("::1"));
        assertEquals(Optional.of(ip("127.0.0.1")), HbaAddress.parseLiteral("127.0.0.1"));
    }

    @Test
    void printsCanonicalCidr() {
        assertEquals("10.0.0.0/8", HbaAddress.parseCidr("10.9.8.7/8", false).toString());
    }
}
