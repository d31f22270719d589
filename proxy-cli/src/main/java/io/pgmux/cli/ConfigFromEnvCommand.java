package io.pgmux.cli;

import io.pgmux.cli.env.EnvConfigException;
import io.pgmux.cli.env.EnvVariable;
import io.pgmux.cli.env.EnvironmentConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Writes a configuration file for one database from the {@code PGMUX_*} environment variables, as the container
 * image's entry point does when no file is mounted. The file holds passwords, so it is written readable by its
 * owner only, and nothing printed shows one.
 */
@Command(name = "config-from-env", mixinStandardHelpOptions = true,
        description = {"Write a configuration for one database from PGMUX_* environment variables (the sidecar case).",
            "The file is readable by its owner only; nothing printed shows a password."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the file was written",
                "1:the file could not be written",
                "2:the variables do not describe a valid configuration (each problem is printed)"})
public final class ConfigFromEnvCommand implements Callable<Integer> {
    private static final int HELP_WIDTH = 78;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
            description = "Where to write the configuration; replaced atomically.")
    private Path output;

    @Spec
    private CommandSpec spec;

    private final Map<String, String> env;

    public ConfigFromEnvCommand() {
        this(System.getenv());
    }

    ConfigFromEnvCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The variables, for the help text: a name column, and the description wrapped to fit 80 columns. */
    static String[] variablesHelp() {
        List<String> lines = new ArrayList<>();
        for (EnvVariable variable : EnvVariable.values()) {
            StringBuilder line = new StringBuilder(String.format("  %-30s", variable.variable()));
            for (String word : variable.description().split(" ")) {
                if (line.length() + 1 + word.length() > HELP_WIDTH) {
                    lines.add(line.toString());
                    line = new StringBuilder(" ".repeat(32));
                }
                line.append(' ').append(word);
            }
            lines.add(line.toString());
        }
        return lines.toArray(new String[0]);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EnvironmentConfig config;
        try {
            config = EnvironmentConfig.from(env);
        } catch (EnvConfigException e) {
            err.println("pgmux: the environment does not describe a configuration:");
            e.problems().forEach(problem -> err.println("  " + problem));
            return 2;
        }
        try {
            write(config.yaml());
        } catch (IOException e) {
            err.println("pgmux: cannot write " + output + ": " + e);
            return 1;
        }
        out.println(output + ": written from the environment: " + config.summary());
        return 0;
    }

    /** Owner-only from the first byte, then moved into place, so no reader ever sees a partial or open file. */
    private void write(String yaml) throws IOException {
        Path target = output.toAbsolutePath();
        Path dir = target.getParent();
        Path temp = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, ".pgmux-", ".yaml",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".pgmux-", ".yaml");
        try {
            Files.writeString(temp, yaml, StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
