package io.pgmux.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file, pinned to where it is so the operator can jump straight there.
 * {@link #toString()} reads like a compiler diagnostic: {@code pgmux.yaml:12: databases.app.port: expected ...}.
 *
 * @param source  the file as the operator named it, e.g. {@code pgmux.yaml}; empty when unknown
 * @param path    the key path, e.g. {@code databases.app.port} or {@code users[0].tenant}; empty when the problem
 *                concerns the whole file
 * @param line    1-based line number, or 0 when no line applies (the file could not be read at all)
 * @param message what is wrong, phrased so the fix is obvious
 */
public record ConfigProblem(String source, String path, int line, String message) {
    public ConfigProblem {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** A problem not tied to a named file, e.g. for configuration assembled in code. */
    public ConfigProblem(String path, int line, String message) {
        this("", path, line, message);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(source);
        if (line > 0) {
            out.append(source.isEmpty() ? "line " : ":").append(line);
        }
        if (out.length() > 0) {
            out.append(": ");
        }
        if (!path.isEmpty()) {
            out.append(path).append(": ");
        }
        return out.append(message).toString();
    }
}
