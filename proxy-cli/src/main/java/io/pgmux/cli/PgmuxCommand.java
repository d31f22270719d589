package io.pgmux.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code pgmux [run] --config FILE} runs the proxy; {@code pgmux check-config FILE} validates a file;
 * {@code pgmux scram-secret} prints a password's SCRAM verifier; {@code pgmux config-from-env} and
 * {@code pgmux healthcheck} serve the container image; {@code pgmux status} summarises a running pgmux.
 */
@Command(name = "pgmux",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "A PostgreSQL connection pooler: many client connections over a few server connections, "
                + "with transaction pooling and per-tenant connection budgets.",
            "",
            "Point your application's DATABASE_URL at pgmux (port 6432 by default) instead of the database."},
        subcommands = {RunCommand.class, CheckConfigCommand.class, ScramSecretCommand.class,
            ConfigFromEnvCommand.class, HealthcheckCommand.class, StatusCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes (of running the proxy; each command's help lists its own):%n",
        exitCodeList = {RunCommand.EXIT_STOPPED, RunCommand.EXIT_CANNOT_LISTEN, RunCommand.EXIT_CONFIG},
        footer = {"", "Examples:",
            "  java -jar pgmux.jar --config pgmux.yaml          run the proxy",
            "  java -jar pgmux.jar check-config pgmux.yaml      validate a configuration file",
            "  java -jar pgmux.jar scram-secret < pw.txt        print the SCRAM verifier of a password",
            "  java -jar pgmux.jar config-from-env -o FILE      a file from PGMUX_* variables",
            "  java -jar pgmux.jar healthcheck -c pgmux.yaml    exit 0 if pgmux is ready",
            "  java -jar pgmux.jar status -c pgmux.yaml         pools and tenants now"})
public final class PgmuxCommand implements Callable<Integer> {
    @Mixin
    private RunOptions runOptions;

    @Override
    public Integer call() throws Exception {
        return new RunCommand(runOptions).call();
    }

    public static void main(String[] args) {
        LeakSampling.applyDefault(System.getProperties());
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand and its full help. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new PgmuxCommand());
        commandLine.getSubcommands().get("config-from-env").getCommandSpec().usageMessage()
                .footerHeading("%nVariables (unset or empty ones leave the setting at its default):%n")
                .footer(ConfigFromEnvCommand.variablesHelp());
        return commandLine;
    }
}
