package io.pgmux.cli.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** libpq's connection URI syntax (PostgreSQL docs, "Connection URIs"), split where libpq splits it. */
final class DatabaseUrlTest {

    @Test
    void readsEveryPart() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app:secret@db.internal:6543/orders?sslmode=disable");
        assertEquals(new DatabaseUrl("db.internal", 6543, Optional.of("orders"), Optional.of("app"),
                Optional.of("secret"), SslMode.DISABLE), url);
    }

    @Test
    void defaultsAreLibpqs() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://db");
        assertEquals(new DatabaseUrl("db", 5432, Optional.empty(), Optional.empty(), Optional.empty(),
                SslMode.PREFER), url);
        assertEquals(Optional.empty(), url.effectiveDbname());
    }

    @Test
    void databaseDefaultsToTheUserName() {
        assertEquals(Optional.of("app"), DatabaseUrl.parse("postgres://app@db").effectiveDbname());
        assertEquals(Optional.of("app"), DatabaseUrl.parse("postgres://app@db/").effectiveDbname());
    }

    @Test
    void percentEncodingIsDecodedInEveryPart() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://us%65r:p%40ss%2Fw%3Ard%25@h%6Fst/my%20db?sslmode=allow");
        assertEquals("user", url.user().orElseThrow());
        assertEquals("p@ss/w:rd%", url.password().orElseThrow());
        assertEquals("host", url.host());
        assertEquals("my db", url.dbname().orElseThrow());
        assertEquals(SslMode.ALLOW, url.sslMode());
    }

    @Test
    void plusIsAPlusAndUtf8IsDecoded() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app:a+b%C3%A9@db/d");
        assertEquals("a+bé", url.password().orElseThrow());
    }

    @Test
    void passwordMayHoldColonsAndOtherCharactersUnencoded() {
        // libpq splits user from password at the first colon and stops the credentials at "@" or "/" only.
        DatabaseUrl url = DatabaseUrl.parse("postgres://app:pa:ss?#$!*@db/d");
        assertEquals("pa:ss?#$!*", url.password().orElseThrow());
        assertEquals("db", url.host());
    }

    @Test
    void ipv6HostsAreBracketed() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app:pw@[2001:db8::1]:5433/d");
        assertEquals("2001:db8::1", url.host());
        assertEquals(5433, url.port());
        assertEquals("postgres://app:***@[2001:db8::1]:5433/d?sslmode=prefer", url.toString());
    }

    @Test
    void emptyPasswordIsNoPassword() {
        assertEquals(Optional.empty(), DatabaseUrl.parse("postgres://app:@db/d").password());
        assertEquals(Optional.empty(), DatabaseUrl.parse("postgres://:@db/d").user());
    }

    @Test
    void emptyPortMeansTheDefault() {
        assertEquals(5432, DatabaseUrl.parse("postgres://db:/d").port());
    }

    @ParameterizedTest
    @CsvSource({"disable,DISABLE", "allow,ALLOW", "prefer,PREFER", "require,REQUIRE", "verify-ca,VERIFY_CA",
        "verify-full,VERIFY_FULL"})
    void readsEverySslMode(String text, SslMode mode) {
        assertEquals(mode, DatabaseUrl.parse("postgres://db/d?sslmode=" + text).sslMode());
    }

    @Test
    void readsSslrootcert() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://db/d?sslmode=verify-ca&sslrootcert=%2Fetc%2Fca.pem");
        assertEquals(Optional.of("/etc/ca.pem"), url.sslRootCert());
        assertEquals("postgres://db:5432/d?sslmode=verify-ca&sslrootcert=/etc/ca.pem", url.toString());
        assertEquals(Optional.empty(), DatabaseUrl.parse("postgres://db/d").sslRootCert());
    }

    @Test
    void jdbcSslTrueMeansRequire() {
        assertEquals(SslMode.REQUIRE, DatabaseUrl.parse("postgres://db/d?ssl=true").sslMode());
    }

    @Test
    void toStringHidesThePassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app:hunter2@db/d");
        assertFalse(url.toString().contains("hunter2"), url::toString);
        assertEquals("postgres://app:***@db:5432/d?sslmode=prefer", url.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mysql://app:pw@db/d|must start with postgres:// or postgresql://",
        "postgres://app:pw@/d|names no host",
        "postgres://app:pw@%2Fvar%2Frun%2Fpostgresql/d|Unix-domain socket",
        "postgres://app:pw@db:99999/d|port that is not a number from 1 to 65535",
        "postgres://app:pw@db:0/d|port that is not a number from 1 to 65535",
        "postgres://app:pw@a:5432,b:5432/d|names several hosts",
        "postgres://app:pw@[::1/d|without its \"]\"",
        "postgres://app:pw@[::1]x/d|after \"]\"",
        "postgres://app:p%zzw@db/d|bad percent-encoding in the password",
        "postgres://app:p%C3w@db/d|not UTF-8",
        "postgres://db/d?sslmode=sometimes|none of disable, allow, prefer, require, verify-ca, verify-full",
        "postgres://db/d?sslmode|query parameter 1 has no \"=\"",
        "postgres://db/d?sslmode=disable&application_name=x|(number 2); only sslmode and sslrootcert are read"})
    void refusesWithAReason(String uri, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(uri));
        assertTrue(e.getMessage().contains(reason), e::getMessage);
    }

    /**
     * An unencoded "/" in a password moves libpq's split points: what follows shows up as a port or a database
     * name. The message must say what to do without repeating any of it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"postgres://app:s3cr/et@db/d", "postgres://app:1234/s3cret@db/d",
        "postgres://app:pw@db/d?s3cret", "postgres://app:pw@db/d?x=s3cret"})
    void messagesNeverRepeatThePassword(String uri) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(uri));
        assertFalse(e.getMessage().contains("s3cr"), e::getMessage);
        assertFalse(e.getMessage().contains("1234"), e::getMessage);
    }

    @Test
    void unencodedSlashInThePasswordPointsAtTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatabaseUrl.parse("postgres://app:1234/secret@db/d"));
        assertTrue(e.getMessage().contains("percent-encode"), e::getMessage);
    }

    @Test
    void unencodedAtInThePasswordPointsAtTheFixWithoutQuotingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatabaseUrl.parse("postgres://app:p@ss@127.0.0.1:5432/app"));
        assertTrue(e.getMessage().contains("percent-encode"), e::getMessage);
        assertFalse(e.getMessage().contains("ss@127"), e::getMessage);
    }
}
