package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Against a stand-in HTTP server: this command only needs the endpoint's contract, 200 or anything else. */
final class HealthcheckCommandTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private volatile int readyStatus = 200;
    private final List<String> requested = new CopyOnWriteArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health/ready", exchange -> {
            requested.add(exchange.getRequestURI().getPath());
            answer(exchange, readyStatus, readyStatus == 200 ? "ready\n" : "not ready: no upstream answered\n");
        });
        server.createContext("/health/live", exchange -> {
            requested.add(exchange.getRequestURI().getPath());
            answer(exchange, 200, "live\n");
        });
        server.start();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream stream = exchange.getResponseBody()) {
            stream.write(bytes);
        }
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private int port() {
        return server.getAddress().getPort();
    }

    private Path config(String metrics) throws IOException {
        Path file = dir.resolve("pgmux.yaml");
        Files.writeString(file, "databases: {app: {}}\nusers: [{name: app, password: pw}]\nmetrics: " + metrics + "\n");
        return file;
    }

    private int run(String... args) {
        CommandLine commandLine = new CommandLine(new HealthcheckCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void readyIsZeroAndAsksTheConfiguredPortOnLoopbackForAWildcardHost() throws IOException {
        Path file = config("{host: 0.0.0.0, port: " + port() + "}");
        assertEquals(0, run("--config", file.toString()), err::toString);
        assertEquals(List.of("/health/ready"), requested);
        assertEquals("http://127.0.0.1:" + port() + "/health/ready: 200 ready\n", out.toString());
    }

    @Test
    void liveAsksTheLivenessPath() throws IOException {
        assertEquals(0, run("-c", config("{host: 127.0.0.1, port: " + port() + "}").toString(), "--live"));
        assertEquals(List.of("/health/live"), requested);
    }

    @Test
    void notReadyIsOneAndShowsTheReason() throws IOException {
        readyStatus = 503;
        assertEquals(1, run("-c", config("{port: " + port() + "}").toString()));
        assertEquals("http://127.0.0.1:" + port() + "/health/ready: 503 not ready: no upstream answered\n",
                out.toString());
    }

    @Test
    void nothingListeningIsOne() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        assertEquals(1, run("--url", "http://127.0.0.1:" + closed + "/health/ready", "--timeout", "2"));
        assertEquals("http://127.0.0.1:" + closed + "/health/ready: connection refused: is pgmux running, with"
                + " metrics.enabled, on 127.0.0.1:" + closed + "?\n", out.toString());
    }

    @Test
    void anEndpointThatNeverAnswersTimesOutWithTheReason() throws IOException {
        // Accepted by the kernel (the backlog), never answered.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = silent.getLocalPort();
            assertEquals(1, run("--url", "http://127.0.0.1:" + port + "/health/ready", "--timeout", "1"));
            assertEquals("http://127.0.0.1:" + port + "/health/ready: connected, but no answer within 1 s: is pgmux"
                    + " on 127.0.0.1:" + port + " overloaded or stopped (or is something else listening there)?\n",
                    out.toString());
        }
    }

    @Test
    void otherFailuresGiveTheReasonWithoutTheExceptionsClass() {
        assertEquals("no answer: Connection reset", HealthcheckCommand.noAnswer(
                java.net.URI.create("http://127.0.0.1:9930/health/ready"),
                new java.net.SocketException("Connection reset"), java.time.Duration.ofSeconds(3)));
        assertEquals("no connection within 3 s: is 127.0.0.1:9930 pgmux's metrics.host and metrics.port, and"
                + " reachable from here?", HealthcheckCommand.noAnswer(
                java.net.URI.create("http://127.0.0.1:9930/health/ready"),
                new java.net.http.HttpConnectTimeoutException("HTTP connect timed out"),
                java.time.Duration.ofSeconds(3)));
    }

    @Test
    void passwordsOfTheFileNeedNotBeInTheEnvironment() throws IOException {
        Path file = dir.resolve("pgmux.yaml");
        Files.writeString(file, "databases: {app: {}}\nusers: [{name: app, password: \"${PGMUX_TEST_UNSET_PW}\"}]\n"
                + "metrics: {host: 127.0.0.1, port: " + port() + "}\n");
        assertEquals(0, run("-c", file.toString()), err::toString);
        assertEquals(List.of("/health/ready"), requested);
    }

    @Test
    void urlOverridesTheConfiguration() {
        assertEquals(0, run("--url", "http://127.0.0.1:" + port() + "/health/live", "-c", "/nonexistent.yaml"));
        assertEquals(List.of("/health/live"), requested);
    }

    @Test
    void metricsDisabledIsOneWithTheReason() throws IOException {
        assertEquals(1, run("-c", config("{enabled: false}").toString()));
        assertTrue(err.toString().contains("metrics.enabled: false"), err::toString);
        assertEquals(List.of(), requested);
    }

    @Test
    void invalidConfigurationIsOneNotTwo() throws IOException {
        // 2 is reserved in Docker's HEALTHCHECK contract.
        assertEquals(1, run("-c", config("{port: http}").toString()));
        assertTrue(err.toString().contains("metrics.port: expected an integer from 1 to 65535"), err::toString);
    }

    @Test
    void wildcardAndIpv6HostsBecomeUrlHosts() {
        assertEquals("127.0.0.1", HealthcheckCommand.hostForUrl("0.0.0.0"));
        assertEquals("[::1]", HealthcheckCommand.hostForUrl("::"));
        assertEquals("[fd00::5]", HealthcheckCommand.hostForUrl("fd00::5"));
        assertEquals("pgmux.local", HealthcheckCommand.hostForUrl("pgmux.local"));
    }
}
