package io.pgmux.cli;

import io.pgmux.config.ConfigException;
import java.nio.file.Path;

/**
 * How the commands report a configuration file they cannot use, in the same words everywhere: a file that cannot be
 * read says so and why (its permissions, not its content, need fixing), and only a file that was read is "not
 * valid", followed by every problem with its line.
 */
final class ConfigFileErrors {
    private ConfigFileErrors() {
    }

    /**
     * @param file     the configuration file as the operator named it
     * @param e        what loading it threw
     * @param userName the user this process runs as, named when the file's permissions shut it out
     * @return one line, e.g. {@code /etc/pgmux/pgmux.yaml cannot be read: permission denied (pgmux runs as user
     *         pgmux)}, or {@code <file> is not valid:} and the problems, one per line
     */
    static String describe(Path file, ConfigException e, String userName) {
        return e.cannotRead()
                .map(reason -> file + " cannot be read: " + reason
                        + (reason.equals("permission denied") ? " (pgmux runs as user " + userName + ")" : ""))
                .orElseGet(() -> file + " is not valid:\n" + e.getMessage());
    }

    /** {@link #describe(Path, ConfigException, String)} for this process's user. */
    static String describe(Path file, ConfigException e) {
        return describe(file, e, System.getProperty("user.name"));
    }
}
