package io.pgmux.cli;

import io.pgmux.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/pgmux.jar run --config FILE} as a process of its own, its output in a file; signals are
 * sent as an operator sends them ({@code kill -TERM}, {@code kill -HUP}).
 */
final class PgmuxProcess implements AutoCloseable {
    static final Path JAR = Path.of("target/pgmux.jar").toAbsolutePath();

    private final Process process;
    private final int port;
    private final Path log;

    private PgmuxProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts pgmux and waits until it accepts connections on {@code port}. */
    static PgmuxProcess start(Path config, int port, Path log) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: these tests run after package (mvn verify)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-jar", JAR.toString(), "run", "--config",
                config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PgmuxProcess pgmux = new PgmuxProcess(process, port, log);
        try {
            Await.untilChecked(Duration.ofSeconds(60), () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("pgmux exited with " + process.exitValue() + ":\n" + pgmux.log());
                }
                return accepts(port);
            }, "pgmux listening on " + port);
        } catch (RuntimeException | AssertionError e) {
            pgmux.close();
            throw e;
        }
        return pgmux;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return socket.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    /** The port it accepts clients on. */
    int port() {
        return port;
    }

    /** SIGKILL, as a crash or an OOM kill ends it: no shutdown, its sockets closed by the kernel. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("pgmux did not die on SIGKILL");
        }
    }

    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** The exit code, once it has exited within {@code within}; fails when it has not. */
    int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("pgmux did not exit within " + within + ":\n" + log());
        }
        return process.exitValue();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of its output that contain {@code text}. */
    List<String> logLines(String text) {
        return log().lines().filter(line -> line.contains(text)).toList();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
