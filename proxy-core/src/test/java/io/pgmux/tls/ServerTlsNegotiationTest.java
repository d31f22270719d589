package io.pgmux.tls;

import static io.pgmux.tls.ServerTlsNegotiation.Attempt.PLAIN;
import static io.pgmux.tls.ServerTlsNegotiation.Attempt.TLS;
import static io.pgmux.tls.ServerTlsNegotiation.Attempt.TLS_IF_OFFERED;
import static io.pgmux.tls.ServerTlsNegotiation.Response.CONTINUE_PLAIN;
import static io.pgmux.tls.ServerTlsNegotiation.Response.FAIL;
import static io.pgmux.tls.ServerTlsNegotiation.Response.START_TLS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.SslMode;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** libpq's sslmode steps, as pgmux's server login will take them. */
class ServerTlsNegotiationTest {
    @Test
    void attemptsPerMode() {
        assertEquals(List.of(PLAIN), ServerTlsNegotiation.attempts(SslMode.DISABLE));
        assertEquals(List.of(PLAIN, TLS), ServerTlsNegotiation.attempts(SslMode.ALLOW));
        assertEquals(List.of(TLS_IF_OFFERED, PLAIN), ServerTlsNegotiation.attempts(SslMode.PREFER));
        for (SslMode mode : new SslMode[] {SslMode.REQUIRE, SslMode.VERIFY_CA, SslMode.VERIFY_FULL}) {
            assertEquals(List.of(TLS), ServerTlsNegotiation.attempts(mode));
        }
    }

    @Test
    void theServersAnswerToSslRequest() {
        assertEquals(START_TLS, ServerTlsNegotiation.onResponse(TLS_IF_OFFERED, (byte) 'S'));
        assertEquals(START_TLS, ServerTlsNegotiation.onResponse(TLS, (byte) 'S'));
        assertEquals(CONTINUE_PLAIN, ServerTlsNegotiation.onResponse(TLS_IF_OFFERED, (byte) 'N'));
        assertEquals(FAIL, ServerTlsNegotiation.onResponse(TLS, (byte) 'N'));
        assertEquals(FAIL, ServerTlsNegotiation.onResponse(TLS_IF_OFFERED, (byte) 'E'));
        assertEquals(FAIL, ServerTlsNegotiation.onResponse(TLS, (byte) 0));
        assertThrows(IllegalStateException.class, () -> ServerTlsNegotiation.onResponse(PLAIN, (byte) 'S'));
    }

    @Test
    void refusalsInLibpqsWords() {
        assertEquals("server at db:5432: server does not support SSL, but SSL was required",
                ServerTlsNegotiation.refusalError("db:5432", (byte) 'N').message());
        assertEquals("server at db:5432: received invalid response to SSL negotiation: 'E'",
                ServerTlsNegotiation.refusalError("db:5432", (byte) 'E').message());
        assertEquals("server at db:5432: received invalid response to SSL negotiation: 0x00",
                ServerTlsNegotiation.refusalError("db:5432", (byte) 0).message());
    }

    @Test
    void aServerThatDeclinesTlsIsAnsweredWithTheSettingToChange() {
        PgError declined = ServerTlsNegotiation.refusalError("db:5432", (byte) 'N');
        assertEquals(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION, declined.sqlState());
        assertTrue(declined.hint().contains("set server_tls_sslmode: prefer"), declined.hint());
        assertNull(ServerTlsNegotiation.refusalError("db:5432", (byte) 'E').hint(), "a broken answer: nothing to set");
    }

    @Test
    void onlyTheServersAccessRulesEarnAnotherAttempt() {
        assertTrue(ServerTlsNegotiation.retriesAfterError("28000"));
        assertFalse(ServerTlsNegotiation.retriesAfterError("28P01"), "a wrong password is not tried twice");
        assertFalse(ServerTlsNegotiation.retriesAfterError("53300"));
    }
}
