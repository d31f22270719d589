package io.pgmux.cli;

import io.pgmux.config.ConfigException;
import io.pgmux.config.ConfigFileAccess;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import io.pgmux.runtime.UpstreamCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Validates a configuration file without starting anything: exit code 2 when it is invalid. With --upstream it
 * also asks every upstream server for its connection slots and prints the budget table: exit code 1 when the
 * budgets do not fit or an upstream could not be asked.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Check a configuration file and report every problem with its key path and line.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:valid (and, with --upstream, the budgets fit every upstream)",
                "1:with --upstream: the budgets over-commit an upstream, or it could not be asked",
                "2:the file cannot be read or is not valid"})
public final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The YAML configuration file.")
    private Path file;

    @Option(names = "--upstream", description = "Also connect to every upstream server, read max_connections and "
            + "its reserved slots, and print the budget table against them.")
    private boolean upstream;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            PgmuxConfig config = ConfigLoader.load(file);
            out.println(file + ": OK (" + config.databases().size() + " database(s), " + config.users().size()
                    + " user(s), " + config.tenants().size() + " tenant(s), pool_mode "
                    + config.poolMode().configName() + ", listening on " + config.listen().host() + ":"
                    + config.listen().port() + ")");
            ConfigFileAccess.warning(file).ifPresent(w -> err.println("warning: " + w));
            List<String> unapplied = UnappliedSettings.in(config);
            if (!unapplied.isEmpty()) {
                err.println("warning: this version reads but does not apply yet (run refuses to start):");
                unapplied.forEach(line -> err.println("  " + line));
            }
            return upstream ? checkUpstreams(config, out) : 0;
        } catch (ConfigException e) {
            err.println(ConfigFileErrors.describe(file, e));
            return 2;
        }
    }

    private static int checkUpstreams(PgmuxConfig config, PrintWriter out) {
        int status = 0;
        for (UpstreamCheck.Result each : new UpstreamCheck(config).run()) {
            out.println();
            out.print(each.report());
            if (!each.fits()) {
                status = 1;
            }
        }
        out.flush();
        return status;
    }
}
