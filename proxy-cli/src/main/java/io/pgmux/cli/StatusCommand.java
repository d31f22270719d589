package io.pgmux.cli;

import io.pgmux.cli.status.ConsoleClient;
import io.pgmux.cli.status.ConsoleTls;
import io.pgmux.cli.status.StatusReport;
import io.pgmux.config.ConfigException;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.SslMode;
import io.pgmux.config.UnsetVariables;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Asks a running pgmux for a summary: it logs in to the admin console (database {@code pgmux}, as an
 * {@code admin.users} or {@code admin.stats_users} user, password from {@code PGPASSWORD}) and prints the version,
 * whether pgmux is ready, paused, its clients and server connections, then its pools and tenant budgets as tables.
 * With a configuration file whose metrics endpoint is on, readiness is {@code /health/ready}'s answer.
 */
@Command(name = "status",
        description = {"Print a running pgmux's state, pools and tenants, read from its admin console.",
            "The address and user come from the configuration file (listen, the first of admin.users), or the"
                + " options; the password from PGPASSWORD."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:pgmux is ready",
                "1:pgmux answered but is not ready (shutting down, paused, an upstream unreachable), cannot be"
                        + " reached, or refused the login",
                "2:bad options or an invalid configuration file"})
public final class StatusCommand implements Callable<Integer> {
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([a-z_]+)\"");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "pgmux.yaml",
            description = "The configuration pgmux runs with, for its address, an admin user and the health"
                    + " endpoint; not read with --port and --user (or PGUSER) unless given. Passwords in it need"
                    + " not be in the environment (default: ${DEFAULT-VALUE}).")
    private Path config;

    @Option(names = {"-h", "--host"}, paramLabel = "HOST", description = "pgmux's host (default: listen.host,"
            + " loopback for a wildcard address).")
    private String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "pgmux's port (default: listen.port).")
    private Integer port;

    @Option(names = {"-U", "--user"}, paramLabel = "USER", description = "Log in to the console as this user"
            + " (default: PGUSER, else the first of admin.users, else of admin.stats_users).")
    private String user;

    @Option(names = "--sslmode", paramLabel = "MODE", description = "TLS to the console, as libpq's sslmode:"
            + " disable, allow, prefer, require, verify-ca or verify-full (default: PGSSLMODE, else prefer).")
    private String sslmode;

    @Option(names = "--sslrootcert", paramLabel = "FILE", description = "PEM file of the CAs that verify-ca and"
            + " verify-full trust (default: PGSSLROOTCERT, else the Java runtime's CAs).")
    private Path sslrootcert;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    // -h is the host, as for psql.
    @Option(names = "--help", usageHelp = true, description = "Show this help message and exit.")
    private boolean help;

    @Spec
    private CommandSpec spec;

    private final Map<String, String> env;
    private final Path workingDirectory;

    public StatusCommand() {
        this(System.getenv(), Path.of(""));
    }

    /** @param workingDirectory what a relative {@code --config} (the default pgmux.yaml too) is relative to */
    StatusCommand(Map<String, String> env, Path workingDirectory) {
        this.env = Map.copyOf(env);
        this.workingDirectory = workingDirectory;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path configFile = workingDirectory.resolve(config);
        // With the address and the user given, the default pgmux.yaml is not read: it may belong to another pgmux.
        boolean fileNeeded = spec.commandLine().getParseResult().hasMatchedOption("--config") || port == null
                || (user == null && env.get("PGUSER") == null);
        Optional<PgmuxConfig> file;
        try {
            // Status uses the address, the admin users and the metrics endpoint: the passwords of the other
            // settings, often only in pgmux's own environment, are left out rather than required here.
            file = fileNeeded && Files.isRegularFile(configFile)
                    ? Optional.of(ConfigLoader.load(configFile, UnsetVariables.LEAVE_OUT)) : Optional.empty();
        } catch (ConfigException e) {
            err.println("pgmux status: " + ConfigFileErrors.describe(configFile, e));
            return 2;
        }
        String consoleHost = host != null ? host
                : HealthcheckCommand.hostForUrl(file.map(c -> c.listen().host()).orElse("127.0.0.1"))
                        .replace("[", "").replace("]", "");
        Optional<Integer> consolePort = Optional.ofNullable(port).or(() -> file.map(c -> c.listen().port()));
        Optional<String> consoleUser = Optional.ofNullable(user).or(() -> Optional.ofNullable(env.get("PGUSER")))
                .or(() -> file.flatMap(c -> c.admin().users().stream().findFirst()
                        .or(() -> c.admin().statsUsers().stream().findFirst())));
        if (consolePort.isEmpty()) {
            err.println("pgmux status: " + configFile + " not found; pass --port and --user (or --config FILE)");
            return 2;
        }
        if (consoleUser.isEmpty()) {
            err.println("pgmux status: no console user: " + configFile + " lists none in admin.users or"
                    + " admin.stats_users, and PGUSER is not set; pass --user");
            return 2;
        }
        ConsoleTls tls;
        try {
            tls = new ConsoleTls(SslMode.parse(Optional.ofNullable(sslmode)
                    .or(() -> Optional.ofNullable(env.get("PGSSLMODE"))).orElse("prefer")),
                    Optional.ofNullable(sslrootcert).or(() -> Optional.ofNullable(env.get("PGSSLROOTCERT"))
                            .map(Path::of)));
        } catch (IllegalArgumentException e) {
            err.println("pgmux status: " + e.getMessage());
            return 2;
        }
        Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
        Optional<StatusReport.Health> health = file.filter(c -> c.metrics().enabled())
                .map(c -> health(c, timeout));
        String address = consoleHost + ":" + consolePort.get();
        try (ConsoleClient console = ConsoleClient.login(consoleHost, consolePort.get(), consoleUser.get(),
                Optional.ofNullable(env.get("PGPASSWORD")), timeout, tls)) {
            StatusReport report = StatusReport.read(console, health);
            out.print(report.render(address));
            out.flush();
            return report.ready() ? 0 : 1;
        } catch (ConsoleClient.ConsoleException e) {
            err.println("pgmux status: the console at " + address + " refused " + consoleUser.get() + ": "
                    + e.getMessage());
            return 1;
        } catch (ConsoleClient.PasswordRequired e) {
            err.println("pgmux status: " + e.getMessage() + " (pgmux at " + address + ")");
            return 1;
        } catch (ConsoleTls.TlsException e) {
            err.println("pgmux status: no TLS to pgmux at " + address + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("pgmux status: no answer from pgmux at " + address + ": " + e.getMessage());
            return 1;
        }
    }

    /** {@code /health/ready}'s status and state; status 0 when it does not answer. */
    private static StatusReport.Health health(PgmuxConfig config, Duration timeout) {
        URI uri = URI.create("http://" + HealthcheckCommand.hostForUrl(config.metrics().host()) + ":"
                + config.metrics().port() + HealthcheckCommand.READY_PATH);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .build();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher state = STATE.matcher(response.body());
            return new StatusReport.Health(response.statusCode(), state.find() ? state.group(1) : "unknown");
        } catch (IOException e) {
            return new StatusReport.Health(0, "health endpoint " + uri + " not answering");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StatusReport.Health(0, "interrupted");
        }
    }
}
