package io.pgmux.cli;

import io.pgmux.config.ConfigException;
import io.pgmux.config.ConfigFileAccess;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.runtime.PgmuxServer;
import io.pgmux.runtime.Signals;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Runs the proxy until it is stopped: SIGTERM drains (exit 0 once the clients finished or shutdown_timeout
 * passed), SIGINT or a second SIGTERM stops at once (exit 0), SIGHUP reloads the configuration file.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the proxy (the default command).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {RunCommand.EXIT_STOPPED, RunCommand.EXIT_CANNOT_LISTEN, RunCommand.EXIT_CONFIG})
public final class RunCommand implements Callable<Integer> {
    static final String EXIT_STOPPED =
            "0:stopped by SIGTERM, SIGINT or the console's SHUTDOWN (after the drain, for a graceful one)";
    static final String EXIT_CANNOT_LISTEN =
            "1:cannot listen (the address is taken, listen.so_reuseport is not available, the metrics endpoint)";
    static final String EXIT_CONFIG =
            "2:the configuration file is missing or invalid, or sets what this version does not apply; bad options";

    @Mixin
    private RunOptions options;

    public RunCommand() {
    }

    RunCommand(RunOptions options) {
        this.options = options;
    }

    @Override
    public Integer call() throws Exception {
        // Must be set before the first logger is created.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", options.logLevel);
        if (!Files.isRegularFile(options.config)) {
            System.err.println("pgmux: configuration file " + options.config + " not found. "
                    + "Pass one with --config FILE (see config/examples/pgmux.yaml).");
            return 2;
        }
        PgmuxConfig config;
        try {
            config = ConfigLoader.load(options.config);
        } catch (ConfigException e) {
            System.err.println("pgmux: " + ConfigFileErrors.describe(options.config, e));
            return 2;
        }
        ConfigFileAccess.warning(options.config).ifPresent(w -> System.err.println("pgmux: warning: " + w));
        List<String> unapplied = UnappliedSettings.in(config);
        if (!unapplied.isEmpty()) {
            System.err.println("pgmux: " + options.config + " sets what this version reads but does not apply yet;"
                    + " remove it rather than run without it:");
            unapplied.forEach(line -> System.err.println("  " + line));
            return 2;
        }
        // RELOAD and SIGHUP refuse what start refuses.
        PgmuxServer server = new PgmuxServer(config, options.config, UnappliedSettings::in);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("pgmux: cannot listen on " + config.listen().host() + ":" + config.listen().port()
                    + ": " + e.getMessage());
            server.close();
            return 1;
        }
        server.checkUpstreamsInBackground();
        // SIGHUP reloads, SIGTERM drains for up to shutdown_timeout, SIGINT or a second SIGTERM stops at once.
        Signals.install(server);
        server.stopped().join();
        return 0;
    }
}
