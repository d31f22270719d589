package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reported parameters follow their client from server to server: each client always sees the values it asked
 * for, and never a ParameterStatus caused by pgmux re-aligning a server for it.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParameterStatusIT {
    private final PostgresCluster cluster;

    ParameterStatusIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void twoClientsWithDifferentTimeZonesOnOneServerEachAlwaysSeeTheirOwn() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             ProxyFixture.StartupResultAndClient a = proxy.rawLoginWithResult(
                     Map.of("TimeZone", "America/New_York", "application_name", "client-a"));
             ProxyFixture.StartupResultAndClient b = proxy.rawLoginWithResult(
                     Map.of("TimeZone", "Asia/Tokyo", "application_name", "client-b"))) {
            assertEquals("America/New_York", a.startup().params().get("TimeZone"));
            assertEquals("Asia/Tokyo", b.startup().params().get("TimeZone"));
            assertEquals("client-a", a.startup().params().get("application_name"));
            assertEquals("client-b", b.startup().params().get("application_name"));
            for (int i = 0; i < 10; i++) {
                assertEquals(List.of("America/New_York", "client-a"), settings(a.client()), "round " + i);
                assertEquals(List.of("Asia/Tokyo", "client-b"), settings(b.client()), "round " + i);
            }
        }
    }

    /** TimeZone and application_name in one reply, which must hold no ParameterStatus. */
    private static List<String> settings(RawPgClient client) {
        client.query("select current_setting('TimeZone'), current_setting('application_name')");
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("TDCZ", Raw.types(reply), reply::toString);
        return reply.get(1).dataRowText();
    }

    /**
     * The greeting tells what PostgreSQL makes of the client's startup settings, not the text the client sent: at
     * the login that brings the settings to a server, and at the next, greeted with no server.
     */
    @Test
    void theGreetingTellsTheStartupSettingsAsTheDatabaseTookThem() {
        Map<String, String> startup = Map.of("TimeZone", "utc", "IntervalStyle", "ISO_8601", "options",
                "-c DateStyle=iso -c default_transaction_read_only=on");
        List<String> names = List.of("TimeZone", "IntervalStyle", "DateStyle", "default_transaction_read_only");
        List<String> direct;
        try (RawPgClient d = RawPgClient.connect(cluster.host(), cluster.port())) {
            Map<String, String> told = d.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD,
                    startup).params();
            direct = names.stream().map(told::get).toList();
        }
        assertEquals(List.of("UTC", "iso_8601", "ISO, MDY", "on"), direct, "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start()) {
            for (int login = 0; login < 2; login++) {
                try (ProxyFixture.StartupResultAndClient client = proxy.rawLoginWithResult(startup)) {
                    Map<String, String> told = client.startup().params();
                    assertEquals(direct, names.stream().map(told::get).toList(), "login " + login);
                    assertEquals("on", Raw.queryOne(client.client(), "show default_transaction_read_only"));
                }
            }
        }
    }

    /**
     * A startup DateStyle that names the output format alone keeps the configured field order, as on a direct
     * connection, not the order the server's last client set: a date is read as the client expects.
     */
    @Test
    void aPartialStartupDateStyleKeepsTheConfiguredFieldOrder() {
        Map<String, String> isoOnly = Map.of("options", "-c DateStyle=ISO");
        String sql = "select current_setting('DateStyle') || ' ' || '01/02/2024'::date::text";
        String direct;
        try (RawPgClient d = RawPgClient.connect(cluster.host(), cluster.port())) {
            d.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, isoOnly);
            direct = Raw.queryOne(d, sql);
        }
        assertEquals("ISO, MDY 2024-01-02", direct, "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin()) {
            a.query("set DateStyle = 'SQL, DMY'");
            a.readUntilReady();
            try (RawPgClient b = proxy.rawLogin(isoOnly)) {
                assertEquals(direct, Raw.queryOne(b, sql));
                assertEquals("SQL, DMY", Raw.queryOne(a, "show DateStyle"));
                assertEquals(direct, Raw.queryOne(b, sql));
            }
        }
    }

    @Test
    void aClientThatChangesTimeZoneIsToldOnceAndKeepsIt() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin(Map.of("TimeZone", "UTC"));
             RawPgClient b = proxy.rawLogin(Map.of("TimeZone", "UTC"))) {
            a.query("set timezone = 'Europe/Paris'");
            List<BackendMessage> reply = a.readUntilReady();
            assertEquals("CSZ", Raw.types(reply), "a SET of a reported parameter: " + reply);
            assertEquals("Europe/Paris", reply.get(1).paramValue());
            for (int i = 0; i < 5; i++) {
                assertEquals("UTC", Raw.queryOne(b, "show timezone"));
                assertEquals("Europe/Paris", Raw.queryOne(a, "show timezone"));
            }
        }
    }

    @Test
    void clientEncodingFollowsTheClientSoTextArrivesInItsOwnEncoding() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient utf8 = proxy.rawLogin(Map.of("client_encoding", "UTF8"));
             RawPgClient latin1 = proxy.rawLogin(Map.of("client_encoding", "LATIN1"))) {
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(new byte[] {(byte) 0xC3, (byte) 0xA9}, eAcute(utf8), "UTF8 client");
                assertArrayEquals(new byte[] {(byte) 0xE9}, eAcute(latin1), "LATIN1 client");
            }
        }
    }

    /** The bytes of the one column of {@code select chr(233)} (é). */
    private static byte[] eAcute(RawPgClient client) {
        client.query("select chr(233)");
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("TDCZ", Raw.types(reply), reply::toString);
        byte[] body = reply.get(1).body(); // int16 columns, int32 length, bytes
        int length = ((body[2] & 0xFF) << 24) | ((body[3] & 0xFF) << 16) | ((body[4] & 0xFF) << 8) | (body[5] & 0xFF);
        return Arrays.copyOfRange(body, 6, 6 + length);
    }
}
