package io.pgmux.config;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The configuration cannot be used. Carries every problem found rather than the first, so an operator fixes the
 * file in one pass instead of one restart per typo; the message lists them one per line, ready to print. A file that
 * could not be read at all ({@link #cannotRead()}) is told apart, since "not valid" would send the operator to its
 * content instead of its permissions.
 */
public final class ConfigException extends RuntimeException {
    private final List<ConfigProblem> problems;
    private final Optional<String> cannotRead;

    public ConfigException(List<ConfigProblem> problems) {
        this(problems, Optional.empty());
    }

    private ConfigException(List<ConfigProblem> problems, Optional<String> cannotRead) {
        super(format(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
        this.cannotRead = cannotRead;
    }

    /**
     * The configuration file {@code source} could not be read; its one problem is {@code <source>: cannot read:
     * <reason>}.
     *
     * @param reason as {@link FileErrors#reason}, e.g. {@code permission denied}
     */
    public static ConfigException cannotRead(String source, String reason) {
        return new ConfigException(List.of(new ConfigProblem(source, "", 0, "cannot read: " + reason)),
                Optional.of(reason));
    }

    /**
     * Why the configuration file itself could not be read ({@code no such file}, {@code permission denied}, ...);
     * empty when it was read and its content is what is wrong (a file it names that cannot be read included).
     */
    public Optional<String> cannotRead() {
        return cannotRead;
    }

    /** The problems in file order. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String format(List<ConfigProblem> problems) {
        return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
    }
}
