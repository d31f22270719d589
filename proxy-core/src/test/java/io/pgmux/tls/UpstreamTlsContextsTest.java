package io.pgmux.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.ServerTlsConfig;
import io.pgmux.config.SslMode;
import io.pgmux.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which contexts are built at start and which after, and that no event loop ever builds one: the builder here is a
 * queue the test runs by hand.
 */
class UpstreamTlsContextsTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;

    /** An executor that runs nothing until told: a task still in it is a build that has not happened. */
    private static final class Builder implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                task.run();
            }
        }
    }

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.create(dir, "db");
    }

    private static PgmuxConfig config(String serverTls) {
        return ConfigLoader.parse("""
                listen: {host: 127.0.0.1, port: 6432}
                databases:
                  app: {host: 127.0.0.1, port: 5432%s}
                users:
                  - {name: app, password: secret}
                """.formatted(serverTls), "pgmux.yaml", Map.of(), dir);
    }

    @Test
    void theDefaultPreferIsBuiltByTheBuilderOnceAsked() {
        PgmuxConfig config = config("");
        ServerTlsConfig prefer = config.databases().get("app").serverTls();
        assertEquals(SslMode.PREFER, prefer.sslmode());
        Builder builder = new Builder();
        UpstreamTlsContexts contexts = UpstreamTlsContexts.of(config, builder);
        assertTrue(builder.tasks.isEmpty(), "nothing built before listening");

        contexts.prepare(config);
        CompletableFuture<Optional<UpstreamTls>> ready = contexts.ready(prefer);
        assertFalse(ready.isDone(), "asking does not build on the asking thread");
        assertEquals(1, builder.tasks.size(), "one build for the settings the databases share");
        builder.runAll();
        assertTrue(ready.join().isPresent());
        assertSame(ready, contexts.ready(prefer), "built once, then kept");
    }

    @Test
    void settingsThatReadFilesAreBuiltAtStartAndABadFileRefusesIt() throws Exception {
        Path ca = certs.caCert();
        Builder builder = new Builder();
        PgmuxConfig good = config(", server_tls_sslmode: verify-ca, server_tls_ca_file: " + ca);
        UpstreamTlsContexts contexts = UpstreamTlsContexts.of(good, builder);
        CompletableFuture<Optional<UpstreamTls>> ready = contexts.ready(good.databases().get("app").serverTls());
        assertTrue(ready.isDone() && ready.join().isPresent(), "built at start");
        assertTrue(builder.tasks.isEmpty());

        // The loader checks that the file looks like PEM; this one stops parsing after that check.
        Path garbage = Files.copy(ca, dir.resolve("spoilt-ca.pem"));
        PgmuxConfig bad = config(", server_tls_sslmode: verify-ca, server_tls_ca_file: " + garbage);
        Files.writeString(garbage, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        TlsSetupException refused = assertThrows(TlsSetupException.class, () -> UpstreamTlsContexts.of(bad, builder));
        assertTrue(refused.getMessage().startsWith("server_tls_ca_file: cannot use " + garbage), refused.getMessage());
    }

    /** After a RELOAD, new settings are built off the loop; a failure is reported, not kept: a fixed file is read. */
    @Test
    void aFailedBuildIsReportedAndTriedAgainByTheNextConnection() throws Exception {
        Path ca = Files.writeString(dir.resolve("reloaded-ca.pem"), "not a certificate yet\n");
        ServerTlsConfig verify = TlsFixtures.serverSide(SslMode.VERIFY_CA, Optional.of(ca));
        Builder builder = new Builder();
        UpstreamTlsContexts contexts = new UpstreamTlsContexts(builder);

        CompletableFuture<Optional<UpstreamTls>> first = contexts.ready(verify);
        builder.runAll();
        CompletionException failed = assertThrows(CompletionException.class, first::join);
        assertInstanceOf(TlsSetupException.class, failed.getCause());

        Files.copy(certs.caCert(), ca, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CompletableFuture<Optional<UpstreamTls>> second = contexts.ready(verify);
        assertFalse(second.isDone());
        builder.runAll();
        assertTrue(second.join().isPresent());
    }

    @Test
    void aBuilderThatRefusesFailsThisRequestOnly() {
        ServerTlsConfig require = TlsFixtures.serverSide(SslMode.REQUIRE, Optional.empty());
        boolean[] refuse = {true};
        Builder queue = new Builder();
        UpstreamTlsContexts contexts = new UpstreamTlsContexts(task -> {
            if (refuse[0]) {
                throw new RejectedExecutionException("queue full");
            }
            queue.execute(task);
        });
        CompletionException failed = assertThrows(CompletionException.class, contexts.ready(require)::join);
        assertTrue(failed.getCause().getMessage().contains("queue full"), failed.getCause().getMessage());

        refuse[0] = false;
        CompletableFuture<Optional<UpstreamTls>> next = contexts.ready(require);
        queue.runAll();
        assertTrue(next.join().isPresent());
    }

    @Test
    void disableNeedsNoBuild() {
        ServerTlsConfig disable = TlsFixtures.serverSide(SslMode.DISABLE, Optional.empty());
        UpstreamTlsContexts contexts = new UpstreamTlsContexts(task -> {
            throw new AssertionError("nothing to build");
        });
        assertEquals(Optional.empty(), contexts.ready(disable).join());
    }

    @Test
    void theBlockingFormBuildsOnItsCallerAndThrowsTheSetupError() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage-ca.pem"), "garbage\n");
        UpstreamTlsContexts contexts = new UpstreamTlsContexts();
        assertTrue(contexts.forConfig(TlsFixtures.serverSide(SslMode.PREFER, Optional.empty())).isPresent());
        assertThrows(TlsSetupException.class,
                () -> contexts.forConfig(TlsFixtures.serverSide(SslMode.VERIFY_CA, Optional.of(garbage))));
    }
}
