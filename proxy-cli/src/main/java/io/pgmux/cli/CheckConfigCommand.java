package io.pgmux.cli;

import io.pgmux.config.ConfigException;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Validates a configuration file without starting anything; exit code 2 when it is invalid. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Check a configuration file and report every problem with its key path and line.")
public final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The YAML configuration file.")
    private Path file;

    @Override
    public Integer call() {
        try {
            PgmuxConfig config = ConfigLoader.load(file);
            System.out.println(file + ": OK (" + config.databases().size() + " database(s), " + config.users().size()
                    + " user(s), " + config.tenants().size() + " tenant(s), pool_mode "
                    + config.poolMode().configName() + ", listening on " + config.listen().host() + ":"
                    + config.listen().port() + ")");
            return 0;
        } catch (ConfigException e) {
            System.err.println(file + " is not valid:");
            System.err.println(e.getMessage());
            return 2;
        }
    }
}
