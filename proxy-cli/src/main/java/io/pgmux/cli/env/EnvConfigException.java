package io.pgmux.cli.env;

import java.util.List;

/** The environment does not describe a usable configuration; one problem per variable, none showing a password. */
public final class EnvConfigException extends RuntimeException {
    private final List<String> problems;

    EnvConfigException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an EnvConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
