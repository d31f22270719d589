package io.pgmux.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of running the proxy, shared by {@code pgmux} and {@code pgmux run}. */
public final class RunOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The YAML configuration file (default: ${DEFAULT-VALUE}).",
            defaultValue = "pgmux.yaml")
    Path config;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "trace, debug, info, warn or error (default: ${DEFAULT-VALUE}).",
            defaultValue = "info")
    String logLevel;
}
