package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.ListenConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.runtime.PgmuxServer;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.RawPgClient;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What RELOAD (and SIGHUP, the same path) checks beyond the file's validity, and what a client sees of a drain:
 * a file with a setting this build does not apply is refused as {@code run} refuses it at start, and the running
 * configuration stays; while pgmux shuts down, a new login gets PostgreSQL's 57P03 and the console still answers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReloadChecksIT {
    private final PostgresCluster cluster = PostgresCluster.shared();
    private PgmuxServer server;
    private InetSocketAddress address;

    @AfterEach
    void stop() throws SQLException {
        if (server != null) {
            server.close();
        }
        cluster.terminateBackends(null, ProxyFixture.APP_USER);
    }

    private PgmuxServer start(Path file) throws Exception {
        PgmuxConfig loaded = ConfigLoader.load(file);
        // As run wires UnappliedSettings: here a check that refuses auth_user, whatever this build applies.
        server = new PgmuxServer(loaded.withListen(new ListenConfig("127.0.0.1", 0))
                .withMetrics(loaded.metrics().withPort(0)), file,
                next -> next.authQuery().isPresent() ? List.of("auth_user (not applied by this build)") : List.of());
        address = server.start();
        return server;
    }

    @Test
    void aReloadOfAFileThatCannotBeReadSaysWhy(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pgmux.yaml");
        String yaml = ProxyFixture.config(cluster).poolSize(3).yaml();
        Files.writeString(file, yaml);
        PgmuxServer pgmux = start(file);

        Files.delete(file);
        assertEquals("RELOAD failed: cannot read " + file + ": no such file; the running configuration stays",
                reloadFailure(pgmux));
        Files.createDirectory(file);
        assertEquals("RELOAD failed: cannot read " + file + ": is a directory; the running configuration stays",
                reloadFailure(pgmux));
        Files.delete(file);
        Files.writeString(file, yaml);
        Files.setPosixFilePermissions(file, java.util.Set.of());
        // The superuser reads a file whatever its mode.
        if (!Files.isReadable(file)) {
            assertEquals("RELOAD failed: cannot read " + file + ": permission denied; the running configuration"
                    + " stays", reloadFailure(pgmux));
        }
        assertEquals(3, pgmux.pools().config().tenants().get(ProxyFixture.DEFAULT_TENANT).poolSize(),
                "the old budget stays");
    }

    private static String reloadFailure(PgmuxServer pgmux) {
        CompletionException refused = assertThrows(CompletionException.class, () -> pgmux.reload().join());
        AdminException error = (AdminException) refused.getCause();
        assertEquals("58030", error.error().sqlState(), error.error().message());
        return error.error().message();
    }

    @Test
    void aReloadedFileWithAnUnappliedSettingIsRefusedAndTheOldConfigurationStays(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("pgmux.yaml");
        Files.writeString(file, ProxyFixture.config(cluster).poolSize(3).yaml());
        PgmuxServer pgmux = start(file);
        Files.writeString(file, ProxyFixture.config(cluster).poolSize(7).set("auth_user", ProxyFixture.APP_USER)
                .yaml());
        CompletionException refused = assertThrows(CompletionException.class, () -> pgmux.reload().join());
        AdminException error = (AdminException) refused.getCause();
        assertEquals("F0000", error.error().sqlState());
        assertTrue(error.error().message().contains("does not apply yet; the running configuration stays"),
                error.error().message());
        assertEquals("auth_user (not applied by this build)", error.error().detail());
        assertEquals(3, pgmux.pools().config().tenants().get(ProxyFixture.DEFAULT_TENANT).poolSize(),
                "the old budget stays");

        Files.writeString(file, ProxyFixture.config(cluster).poolSize(7).yaml());
        pgmux.reload().get(30, TimeUnit.SECONDS);
        assertEquals(7, pgmux.pools().config().tenants().get(ProxyFixture.DEFAULT_TENANT).poolSize());
    }

    /**
     * PostgreSQL keeps a restart-only parameter's running value at a reload and says so (55P02); the console's
     * RELOAD warns the operator, and what SHOW CONFIG shows is what pgmux does, while the rest of the file applies.
     */
    @Test
    void aReloadThatChangesARestartOnlySettingWarnsAndShowsTheRunningValue(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pgmux.yaml");
        String admin = "{users: [" + ProxyFixture.APP_USER + "]}";
        Files.writeString(file, ProxyFixture.config(cluster).poolSize(3).set("admin", admin).set("workers", "2")
                .yaml());
        PgmuxServer pgmux = start(file);
        Files.writeString(file, ProxyFixture.config(cluster).poolSize(4).set("admin", admin).set("workers", "1")
                .yaml());
        try (RawPgClient console = RawPgClient.connect("127.0.0.1", address.getPort())) {
            console.login(ProxyFixture.APP_USER, "pgmux", ProxyFixture.APP_PASSWORD, null);
            console.query("RELOAD");
            List<BackendMessage> reply = console.readUntilReady();
            assertEquals("NCZ", Raw.types(reply), reply::toString);
            BackendMessage warning = reply.get(0);
            assertEquals("WARNING", warning.errorField('S'));
            assertEquals("55P02", warning.errorField('C'));
            assertTrue(warning.errorField('M').contains("workers"), warning.errorField('M'));
            assertTrue(warning.errorField('M').endsWith(", which keep their running values until pgmux restarts"),
                    warning.errorField('M'));

            assertEquals(4, pgmux.pools().config().tenants().get(ProxyFixture.DEFAULT_TENANT).poolSize(),
                    "the rest of the file is in force");
            assertEquals(2, pgmux.pools().config().workers());
            console.query("SHOW CONFIG");
            String workers = console.readUntilReady().stream().filter(m -> m.type() == 'D')
                    .map(BackendMessage::dataRowText).filter(row -> row.get(0).equals("workers"))
                    .map(row -> row.get(1)).findFirst().orElseThrow();
            assertEquals("2", workers, "SHOW CONFIG shows the value in force");
        }
    }

    @Test
    void whileShuttingDownANewLoginGets57P03AndTheConsoleStillAnswers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pgmux.yaml");
        Files.writeString(file, ProxyFixture.config(cluster).poolSize(2).set("admin", "{users: ["
                + ProxyFixture.APP_USER + "]}").yaml());
        PgmuxServer pgmux = start(file);
        try (RawPgClient inTransaction = RawPgClient.connect("127.0.0.1", address.getPort())) {
            inTransaction.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, null);
            assertEquals('T', Raw.command(inTransaction, "begin"));
            var stopped = pgmux.shutdown(Duration.ofSeconds(20), false);
            try (RawPgClient late = RawPgClient.connect("127.0.0.1", address.getPort())) {
                RawPgClient.ServerError refused = assertThrows(RawPgClient.ServerError.class, () -> late.login(
                        ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, null));
                assertEquals("57P03", refused.sqlState(), refused.getMessage());
                assertEquals("FATAL", refused.error().errorField('S'));
                assertEquals("the database system is shutting down", refused.error().errorField('M'));
            }
            try (RawPgClient console = RawPgClient.connect("127.0.0.1", address.getPort())) {
                console.login(ProxyFixture.APP_USER, "pgmux", ProxyFixture.APP_PASSWORD, null);
                assertTrue(Raw.queryOne(console, "SHOW VERSION").startsWith("pgmux"));
            }
            assertEquals("1", Raw.queryOne(inTransaction, "select 1"));
            assertEquals('I', Raw.command(inTransaction, "commit"));
            Raw.expectFatal(inTransaction, "57P01");
            stopped.get(30, TimeUnit.SECONDS);
        }
    }
}
