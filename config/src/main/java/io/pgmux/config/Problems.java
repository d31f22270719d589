package io.pgmux.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects problems while the loader keeps going, so one run reports everything wrong with the file. */
final class Problems {
    private final String source;
    private final List<ConfigProblem> found = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    /** The configuration file's name as the operator gave it. */
    String source() {
        return source;
    }

    void add(String path, int line, String message) {
        found.add(new ConfigProblem(source, path, line, message));
    }

    void add(String path, Node node, String message) {
        add(path, lineOf(node), message);
    }

    /** A problem in another file the configuration names, such as {@code hba_file}. */
    void addIn(String otherSource, String path, int line, String message) {
        found.add(new ConfigProblem(otherSource, path, line, message));
    }

    /** Throws everything collected, if anything was. */
    void throwIfAny() {
        if (!found.isEmpty()) {
            throw toException();
        }
    }

    /**
     * Everything collected, in file order: cross-reference checks run last, but their findings should read in
     * place. Problems in other files come after the configuration file's, each file in line order. The sort is
     * stable, so problems on the same line keep the order they were found in.
     */
    ConfigException toException() {
        List<ConfigProblem> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparing((ConfigProblem p) -> !p.source().equals(source))
                .thenComparing(ConfigProblem::source)
                .thenComparingInt(ConfigProblem::line));
        return new ConfigException(sorted);
    }

    /** The 1-based line a node starts on; snakeyaml counts from 0. */
    static int lineOf(Node node) {
        Mark mark = node == null ? null : node.getStartMark();
        return mark == null ? 0 : mark.getLine() + 1;
    }
}
