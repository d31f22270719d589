package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.SslMode;
import io.pgmux.protocol.PgError;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Which refusals of an upstream login say that it takes only TLS, and the hint that says what to set. */
class TlsRequiredRefusalTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "28000|no pg_hba.conf entry for host \"10.0.0.7\", user \"api\", database \"app\", no encryption",
        "28000|no pg_hba.conf entry for host \"10.0.0.7\", user \"api\", database \"app\", SSL off",
        "28000|SSL connection is required. Please specify SSL options and retry.",
        "08P01|SSL connection is required. Please specify SSL options and retry.",
        "XX000|node is running secure mode, SSL connection required"})
    void aRefusalOfAConnectionWithoutTls(String sqlState, String message) {
        assertTrue(TlsRequiredRefusal.is(PgError.fatal(sqlState, message)), message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "28000|no pg_hba.conf entry for host \"10.0.0.7\", user \"api\", database \"app\", SSL encryption",
        "28000|no pg_hba.conf entry for host \"10.0.0.7\", user \"api\", database \"app\", GSS encryption",
        "28P01|password authentication failed for user \"api\"",
        "08001|server does not support SSL, but SSL was required",
        "28000|pg_hba.conf rejects connection for host \"10.0.0.7\", user \"api\", database \"app\", no encryption"})
    void notOneForComingWithoutTls(String sqlState, String message) {
        assertFalse(TlsRequiredRefusal.is(PgError.fatal(sqlState, message)), message);
    }

    @ParameterizedTest
    @EnumSource(value = SslMode.class, names = {"DISABLE", "ALLOW", "PREFER"})
    void theHintNamesTheSettingItsValueAndWhatToSetItTo(SslMode mode) {
        String hint = TlsRequiredRefusal.hint(mode);
        assertTrue(hint.contains("(server_tls_sslmode " + mode.configName() + "): set server_tls_sslmode: require"),
                hint);
        assertTrue(hint.contains("verify-full with server_tls_ca_file"), hint);
    }
}
