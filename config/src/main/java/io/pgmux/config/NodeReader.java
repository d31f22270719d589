package io.pgmux.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads single YAML nodes: expands {@code ${VAR}} in scalars, converts them, checks the shape of mappings and
 * lists, and reports anything wrong instead of throwing, so the walk can go on and find the next problem.
 * Values are read from the scalar text, not snakeyaml's resolved tag, so {@code port: "5432"} and
 * {@code port: ${PORT}} both work.
 */
final class NodeReader {
    private static final int MAX_QUOTED = 60;

    private final Problems problems;
    private final EnvExpander env;
    private final Path baseDirectory;

    /**
     * @param baseDirectory  what relative file names in the configuration are relative to
     * @param unsetVariables whether a value naming an unset variable is a problem or left out
     */
    NodeReader(Problems problems, Map<String, String> env, Path baseDirectory, UnsetVariables unsetVariables) {
        this.problems = problems;
        this.env = new EnvExpander(env, unsetVariables);
        this.baseDirectory = baseDirectory;
    }

    Problems problems() {
        return problems;
    }

    /** A file name from the configuration, resolved against the configuration file's directory. */
    Path resolve(String fileName) {
        return baseDirectory.resolve(fileName).normalize();
    }

    /** Both an absent value and an empty one ({@code key:} or {@code key: ~}) mean "use the default". */
    static boolean isAbsent(Node node) {
        return node == null || (node instanceof ScalarNode && Tag.NULL.equals(node.getTag()));
    }

    /** Converts a present node; empty when a problem was reported, or the value was left out for an unset variable. */
    <T> Optional<T> read(Node node, String path, ValueType<T> type) {
        if (!(node instanceof ScalarNode)) {
            problems.add(path, node, "expected " + type.expected() + ", got " + describe(node));
            return Optional.empty();
        }
        EnvExpander.Expansion expansion = env.expand(((ScalarNode) node).getValue());
        if (!expansion.errors().isEmpty()) {
            expansion.errors().forEach(error -> problems.add(path, node, error));
            return Optional.empty();
        }
        if (!expansion.unset().isEmpty()) {
            return Optional.empty(); // left out, as asked (UnsetVariables.LEAVE_OUT)
        }
        try {
            return Optional.of(type.parser().apply(expansion.text()));
        } catch (IllegalArgumentException e) {
            problems.add(path, node, type.explained()
                    ? e.getMessage()
                    : "expected " + type.expected() + ", got " + quote(expansion.text()));
            return Optional.empty();
        }
    }

    /**
     * A mapping of settings; an absent node gives an empty one, so defaults apply. {@code absentLine} is where to
     * report keys that turn out to be required.
     */
    YamlMap map(Node node, String path, int absentLine) {
        if (isAbsent(node)) {
            return new YamlMap(this, path, absentLine, Map.of(), false);
        }
        if (!(node instanceof MappingNode)) {
            problems.add(path, node, "expected a mapping, got " + describe(node));
            return new YamlMap(this, path, Problems.lineOf(node), Map.of(), true);
        }
        return new YamlMap(this, path, Problems.lineOf(node), entries((MappingNode) node, path), false);
    }

    /** The items of a list; an absent node gives none. */
    List<Node> list(Node node, String path, String expected) {
        if (isAbsent(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode)) {
            problems.add(path, node, "expected " + expected + ", got " + describe(node));
            return List.of();
        }
        return ((SequenceNode) node).getValue();
    }

    /**
     * The entries by key text, first occurrence winning. snakeyaml's compose step does not reject duplicate keys
     * (its constructor would, and we skip it), and a duplicate in a config file is always a mistake.
     */
    private Map<String, NodeTuple> entries(MappingNode node, String path) {
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : node.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode)) {
                problems.add(path, keyNode, "keys must be plain names, got " + describe(keyNode));
                continue;
            }
            String key = isAbsent(keyNode) ? "" : ((ScalarNode) keyNode).getValue();
            NodeTuple first = entries.putIfAbsent(key, tuple);
            if (first != null) {
                problems.add(YamlMap.join(path, key), keyNode,
                        "duplicate key; first defined at line " + Problems.lineOf(first.getKeyNode()));
            }
        }
        return entries;
    }

    /** How a node looks in "got ..." messages. */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return node instanceof ScalarNode ? quote(((ScalarNode) node).getValue()) : "nothing";
    }

    /** Quotes a value for a one-line message: long values are cut and line breaks shown as \n. */
    static String quote(String text) {
        String shown = text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "..." : text;
        return "\"" + shown.replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }
}
