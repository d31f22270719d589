package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.auth.ScramSha256Client;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nobody can find out without a password which users and databases pgmux serves: every login gets the same
 * exchange, an unknown user fails only at its end with a wrong password's error, and the database is checked
 * only after authentication, as PostgreSQL does (mock authentication; InitPostgres). Side by side with
 * PostgreSQL where the suite's pg_hba.conf makes it comparable (SCRAM for unknown roles).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WhoExistsIT {
    private static final String NOBODY = "nobody_here";
    private final PostgresCluster cluster;

    WhoExistsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /** What a client sees of one login attempt: the requests it got (with their shape) and the final error. */
    private record Attempt(List<String> steps, Map<Character, String> error) {
    }

    /**
     * Logs in as {@code user} with {@code password}, answering every request the way a client that believes the
     * password would; records each request's shape (code, and for SCRAM the salt length and iteration count).
     */
    private static Attempt attempt(RawPgClient client, String user, String database, String password) {
        client.sendStartup(Map.of("user", user, "database", database));
        List<String> steps = new ArrayList<>();
        ScramSha256Client scram = null;
        while (true) {
            BackendMessage message = client.read();
            if (message.type() == 'E') {
                Map<Character, String> fields = new LinkedHashMap<>(message.errorFields());
                fields.keySet().removeAll(List.of('F', 'L', 'R'));
                assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)), "closed after the error");
                return new Attempt(steps, fields);
            }
            assertEquals('R', message.type(), message::toString);
            int code = message.authCode();
            byte[] data = Arrays.copyOfRange(message.body(), 4, message.body().length);
            switch (code) {
                case 3 -> {
                    steps.add("cleartext");
                    client.send('p', Wire.cstring(password));
                }
                case 5 -> {
                    steps.add("md5 salt of " + data.length);
                    client.send('p', Wire.cstring(md5(user, password, data)));
                }
                case 10 -> {
                    steps.add("sasl " + new String(data, StandardCharsets.UTF_8).replace('\0', ' ').trim());
                    scram = new ScramSha256Client(password);
                    byte[] first = scram.clientFirstMessage();
                    client.send('p', Wire.concat(Wire.cstring(scram.mechanism()),
                            ByteBuffer.allocate(4).putInt(first.length).array(), first));
                }
                case 11 -> {
                    String serverFirst = new String(data, StandardCharsets.UTF_8);
                    steps.add("sasl continue " + scramShape(serverFirst));
                    client.send('p', scram.clientFinalMessage(data));
                }
                case 12 -> steps.add("sasl final");
                case 0 -> steps.add("ok");
                default -> throw new AssertionError("unexpected authentication request " + code);
            }
            if (code == 0) {
                // Logged in: read the rest of the greeting, or the error that refuses the session.
                for (BackendMessage next = client.read(); ; next = client.read()) {
                    if (next.type() == 'Z') {
                        return new Attempt(steps, null);
                    }
                    if (next.type() == 'E') {
                        Map<Character, String> fields = new LinkedHashMap<>(next.errorFields());
                        fields.keySet().removeAll(List.of('F', 'L', 'R'));
                        assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)), "closed after the error");
                        return new Attempt(steps, fields);
                    }
                }
            }
        }
    }

    /** "salt of 16 bytes, 4096 iterations" from a server-first-message. */
    private static String scramShape(String serverFirst) {
        return "salt of " + java.util.Base64.getDecoder().decode(scramAttribute(serverFirst, 's')).length
                + " bytes, " + scramAttribute(serverFirst, 'i') + " iterations";
    }

    private static String scramAttribute(String message, char name) {
        for (String each : message.split(",")) {
            if (each.startsWith(name + "=")) {
                return each.substring(2);
            }
        }
        throw new AssertionError("no " + name + "= in " + message);
    }

    private static String md5(String user, String password, byte[] salt) {
        try {
            java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
            String inner = java.util.HexFormat.of().formatHex(md5.digest((password + user).getBytes(StandardCharsets.UTF_8)));
            md5.update(inner.getBytes(StandardCharsets.US_ASCII));
            md5.update(salt);
            return "md5" + java.util.HexFormat.of().formatHex(md5.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<Character, String> withUser(Map<Character, String> error, String from, String to) {
        Map<Character, String> result = new LinkedHashMap<>(error);
        result.replaceAll((k, v) -> v.replace('"' + from + '"', '"' + to + '"'));
        return result;
    }

    private static String salt(RawPgClient client, String user) {
        client.sendStartup(Map.of("user", user, "database", ProxyFixture.APP_DB));
        assertEquals(10, client.expect('R').authCode());
        ScramSha256Client scram = new ScramSha256Client("whatever");
        byte[] first = scram.clientFirstMessage();
        client.send('p', Wire.concat(Wire.cstring(scram.mechanism()),
                ByteBuffer.allocate(4).putInt(first.length).array(), first));
        BackendMessage next = client.expect('R');
        assertEquals(11, next.authCode());
        return scramAttribute(new String(next.body(), 4, next.body().length - 4, StandardCharsets.UTF_8), 's');
    }

    @ParameterizedTest
    @ValueSource(strings = {"scram-sha-256", "md5", "password"})
    void anUnknownUserGetsTheExchangeAndTheErrorOfAWrongPassword(String authType) {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("auth_type", authType)
                .set("allow_password_without_tls", String.valueOf(authType.equals("password"))).start()) {
            Attempt wrongPassword;
            Attempt unknownUser;
            try (RawPgClient client = proxy.raw()) {
                wrongPassword = attempt(client, ProxyFixture.APP_USER, ProxyFixture.APP_DB, "wrong");
            }
            try (RawPgClient client = proxy.raw()) {
                unknownUser = attempt(client, NOBODY, ProxyFixture.APP_DB, "wrong");
            }
            assertFalse(wrongPassword.steps().isEmpty(), "a password was asked for");
            assertEquals(wrongPassword.steps(), unknownUser.steps(), "the same exchange");
            assertEquals("28P01", unknownUser.error().get('C'));
            assertEquals("password authentication failed for user \"" + NOBODY + "\"", unknownUser.error().get('M'));
            assertEquals(withUser(wrongPassword.error(), ProxyFixture.APP_USER, NOBODY), unknownUser.error(),
                    "the same error, but for the name");
        }
    }

    @Test
    void unknownUsersAndWrongPasswordsLookAsTheyDoOnPostgresql() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).start()) {
            for (String user : List.of(NOBODY, ProxyFixture.APP_USER)) {
                Attempt direct;
                Attempt pgmux;
                try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
                    direct = attempt(client, user, ProxyFixture.APP_DB, "wrong");
                }
                try (RawPgClient client = proxy.raw()) {
                    pgmux = attempt(client, user, ProxyFixture.APP_DB, "wrong");
                }
                assertEquals(direct, pgmux, user + ": PostgreSQL's exchange and error, then pgmux's");
            }
        }
    }

    /** PostgreSQL derives an unknown user's salt from a server secret: the same name, the same salt. */
    @Test
    void anUnknownUsersSaltIsStablePerNameAsAKnownUsersIs() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).start()) {
            List<String> salts = new ArrayList<>();
            for (String user : List.of(NOBODY, NOBODY, "someone_else", ProxyFixture.APP_USER, ProxyFixture.APP_USER)) {
                try (RawPgClient client = proxy.raw()) {
                    salts.add(salt(client, user));
                }
            }
            assertEquals(salts.get(0), salts.get(1), "an unknown name keeps its salt");
            assertNotEquals(salts.get(0), salts.get(2), "another unknown name gets another salt");
            assertEquals(salts.get(3), salts.get(4), "a known name keeps its salt");
        }
    }

    /** Without the password, an unknown database looks like any other: the login fails on the password. */
    @Test
    void anUnknownDatabaseIsNotRevealedBeforeAuthentication() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).database("other").start();
             RawPgClient client = proxy.raw()) {
            Attempt attempt = attempt(client, ProxyFixture.APP_USER, "no_such_db", "wrong");
            assertEquals("28P01", attempt.error().get('C'), attempt::toString);
            assertFalse(attempt.error().toString().contains("other"), "no list of databases: " + attempt);
        }
    }

    /** With the password, PostgreSQL says AuthenticationOk, then that the database does not exist. */
    @Test
    void anUnknownDatabaseIsReportedAfterAuthenticationAsOnPostgresql() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).start()) {
            Attempt direct;
            Attempt pgmux;
            try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
                direct = attempt(client, ProxyFixture.APP_USER, "no_such_db", ProxyFixture.APP_PASSWORD);
            }
            try (RawPgClient client = proxy.raw()) {
                pgmux = attempt(client, ProxyFixture.APP_USER, "no_such_db", ProxyFixture.APP_PASSWORD);
            }
            assertEquals(direct.steps(), pgmux.steps(), "authenticated first");
            assertEquals("3D000", pgmux.error().get('C'));
            assertEquals(direct.error().get('S'), pgmux.error().get('S'));
            assertEquals(direct.error().get('M'), pgmux.error().get('M'));
            assertTrue(pgmux.error().get('H').contains(ProxyFixture.APP_DB), "an authenticated client is told "
                    + "which databases there are: " + pgmux.error());
        }
    }

    /** A tenant's client limit is checked after authentication, like a role's connection limit. */
    @Test
    void aFullTenantIsRevealedOnlyToAClientWithThePassword() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster)
                .tenantSetting(ProxyFixture.DEFAULT_TENANT, "max_client_connections", "1").start();
             RawPgClient holder = proxy.rawLogin()) {
            for (String user : List.of(ProxyFixture.APP_USER, NOBODY)) {
                try (RawPgClient client = proxy.raw()) {
                    Attempt attempt = attempt(client, user, ProxyFixture.APP_DB, "wrong");
                    assertEquals("28P01", attempt.error().get('C'), user + ": " + attempt);
                }
            }
            try (RawPgClient client = proxy.raw()) {
                Attempt attempt = attempt(client, ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD);
                assertEquals("53300", attempt.error().get('C'), attempt::toString);
                assertEquals("ok", attempt.steps().get(attempt.steps().size() - 1), "refused after authentication");
            }
            assertEquals("1", Raw.queryOne(holder, "select 1"));
        }
    }

    /** pgmux's own client limit is the same for everyone, so it is checked first, for known and unknown alike. */
    @Test
    void aFullPgmuxRefusesKnownAndUnknownUsersAlike() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("max_client_connections", "1").start();
             RawPgClient holder = proxy.rawLogin()) {
            List<Attempt> attempts = new ArrayList<>();
            for (String user : List.of(ProxyFixture.APP_USER, NOBODY)) {
                try (RawPgClient client = proxy.raw()) {
                    attempts.add(attempt(client, user, ProxyFixture.APP_DB, "wrong"));
                }
            }
            assertEquals("53300", attempts.get(0).error().get('C'), attempts::toString);
            assertEquals(attempts.get(0), attempts.get(1), "the same refusal for both");
            assertEquals("1", Raw.queryOne(holder, "select 1"), "the client holding the slot is unaffected");
        }
    }
}
