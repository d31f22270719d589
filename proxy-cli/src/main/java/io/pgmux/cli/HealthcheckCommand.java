package io.pgmux.cli;

import io.pgmux.config.ConfigException;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.MetricsConfig;
import io.pgmux.config.UnsetVariables;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Asks a running pgmux whether it is ready ({@code /health/ready}) or alive ({@code /health/live}) over its metrics
 * endpoint, for container health checks in images without curl. Exit codes follow Docker's {@code HEALTHCHECK}
 * contract, where 0 is healthy, 1 unhealthy and 2 reserved: everything that is not a 200 answer is 1.
 */
@Command(name = "healthcheck", mixinStandardHelpOptions = true,
        description = {"Ask a running pgmux over HTTP whether it is ready (or, with --live, alive).",
            "The address is metrics.host and metrics.port of the configuration, or --url."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:pgmux answered 200",
                "1:any other answer, no answer within the timeout, or no usable address "
                        + "(an invalid file, metrics disabled)"})
public final class HealthcheckCommand implements Callable<Integer> {
    static final String READY_PATH = "/health/ready";
    static final String LIVE_PATH = "/health/live";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "pgmux.yaml",
            description = "The configuration pgmux runs with; its metrics section gives the address "
                    + "(default: ${DEFAULT-VALUE}).")
    private Path config;

    @Option(names = "--url", paramLabel = "URL",
            description = "Ask this URL instead, e.g. http://127.0.0.1:9930/health/ready.")
    private URI url;

    @Option(names = "--live", description = "Ask " + LIVE_PATH + " (the process works) instead of " + READY_PATH
            + " (it accepts clients).")
    private boolean live;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3",
            description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        URI target;
        try {
            target = url != null ? url : fromConfig();
        } catch (ConfigException e) {
            err.println("pgmux healthcheck: " + ConfigFileErrors.describe(config, e));
            return 1;
        } catch (IllegalStateException e) {
            err.println("pgmux healthcheck: " + e.getMessage());
            return 1;
        }
        Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
        // HTTP/1.1 outright: the default would offer an h2c upgrade, which a small endpoint need not understand.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        HttpRequest request = HttpRequest.newBuilder(target).timeout(timeout).GET().build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            String body = firstLine(response.body());
            out.println(target + ": " + response.statusCode() + (body.isEmpty() ? "" : " " + body));
            return response.statusCode() == 200 ? 0 : 1;
        } catch (IOException e) {
            out.println(target + ": " + noAnswer(target, e, timeout));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println(target + ": interrupted");
            return 1;
        }
    }

    /** The health URL of the configuration's metrics listener; a wildcard address is asked on loopback. */
    private URI fromConfig() {
        // Only the metrics section is used: passwords of the file, set in pgmux's environment only, are left out.
        MetricsConfig metrics = ConfigLoader.load(config, UnsetVariables.LEAVE_OUT).metrics();
        if (!metrics.enabled()) {
            throw new IllegalStateException(config + " has metrics.enabled: false, and the health endpoints are part"
                    + " of the metrics listener; enable it or pass --url");
        }
        return URI.create("http://" + hostForUrl(metrics.host()) + ":" + metrics.port() + (live ? LIVE_PATH : READY_PATH));
    }

    /**
     * Why {@code target} gave no answer, in words with the likely cause: a refused connection (nothing listens there:
     * pgmux is down, or its metrics listener is off or elsewhere), a connection or an answer that did not come
     * within the timeout, else the reason the JDK gives.
     */
    static String noAnswer(URI target, IOException e, Duration timeout) {
        String address = target.getAuthority();
        if (e instanceof ConnectException) {
            return "connection refused: is pgmux running, with metrics.enabled, on " + address + "?";
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "no connection within " + timeout.toSeconds() + " s: is " + address + " pgmux's metrics.host and"
                    + " metrics.port, and reachable from here?";
        }
        if (e instanceof HttpTimeoutException) {
            return "connected, but no answer within " + timeout.toSeconds() + " s: is pgmux on " + address
                    + " overloaded or stopped (or is something else listening there)?";
        }
        String reason = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getMessage();
        return "no answer: " + reason;
    }

    static String hostForUrl(String host) {
        switch (host) {
            case "0.0.0.0":
                return "127.0.0.1";
            case "::":
            case "[::]":
                return "[::1]";
            default:
                return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        }
    }

    private static String firstLine(String body) {
        String line = body.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
