package io.pgmux.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads pgmux's YAML file, and the files it names ({@code hba_file}; TLS certificates and keys are checked to be
 * readable PEM). The file is only composed into a node tree, never constructed into objects: that keeps
 * loading safe (no types instantiated from tags) and keeps each value's line for error messages.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * Reads {@code file} (UTF-8), expanding {@code ${VAR}} from the process environment; file names inside it are
     * relative to its directory.
     *
     * @throws ConfigException listing every problem, including a file that cannot be read
     */
    public static PgmuxConfig load(Path file) {
        return load(file, UnsetVariables.REFUSE);
    }

    /**
     * Like {@link #load(Path)}, with {@code unsetVariables} saying whether a {@code ${VAR}} naming a variable that is
     * not set is a problem ({@link UnsetVariables#REFUSE}, as for running pgmux) or its value is left out.
     *
     * @throws ConfigException listing every problem, including a file that cannot be read
     */
    public static PgmuxConfig load(Path file, UnsetVariables unsetVariables) {
        String source = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ConfigException.cannotRead(source, FileErrors.reason(file, e));
        }
        Path directory = file.toAbsolutePath().getParent();
        return parse(text, source, System.getenv(), directory == null ? Path.of("") : directory, unsetVariables);
    }

    /**
     * Parses YAML text; {@code sourceName} only labels problems, and {@code env} supplies {@code ${VAR}} values,
     * so tests need not touch the real environment.
     *
     * @throws ConfigException listing every problem found
     */
    public static PgmuxConfig parse(String yaml, String sourceName, Map<String, String> env) {
        return parse(yaml, sourceName, env, Path.of(""));
    }

    /**
     * Like {@link #parse(String, String, Map)}, with file names in the configuration ({@code hba_file}, TLS
     * certificates and keys) relative to {@code baseDirectory}; the other form takes them relative to the
     * working directory. Those files are read while parsing.
     *
     * @throws ConfigException listing every problem found
     */
    public static PgmuxConfig parse(String yaml, String sourceName, Map<String, String> env, Path baseDirectory) {
        return parse(yaml, sourceName, env, baseDirectory, UnsetVariables.REFUSE);
    }

    /**
     * Like {@link #parse(String, String, Map, Path)}, with {@code unsetVariables} saying whether a {@code ${VAR}}
     * naming a variable absent from {@code env} is a problem or its value is left out.
     *
     * @throws ConfigException listing every problem found
     */
    public static PgmuxConfig parse(String yaml, String sourceName, Map<String, String> env, Path baseDirectory,
                                    UnsetVariables unsetVariables) {
        Problems problems = new Problems(sourceName);
        Node root;
        try {
            // A fresh Yaml per call: snakeyaml instances are not thread-safe.
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.add("", mark == null ? 0 : mark.getLine() + 1, "invalid YAML: " + syntaxError(e));
            throw problems.toException();
        } catch (YAMLException e) {
            problems.add("", 0, "invalid YAML: " + e.getMessage());
            throw problems.toException();
        }
        PgmuxConfig config = ConfigBinder.bind(root, new NodeReader(problems, env, baseDirectory, unsetVariables));
        problems.throwIfAny();
        return config;
    }

    /**
     * The parser's problem, and where what it was reading began when that is another line (an unclosed {@code [}
     * is found wanting only on a later line, which the problem's line number names).
     */
    private static String syntaxError(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "syntax error" : e.getProblem();
        if (e.getContext() == null) {
            return problem;
        }
        Mark context = e.getContextMark();
        Mark at = e.getProblemMark();
        String began = context != null && at != null && context.getLine() != at.getLine()
                ? " that began on line " + (context.getLine() + 1) : "";
        return problem + " (" + e.getContext() + began + ")";
    }
}
