package io.pgmux.config;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One YAML mapping being read into a record. Every key the binder asks for is remembered, so that afterwards
 * {@link #rejectUnknownKeys()} can flag the rest, listing exactly the keys this section accepts; and every key
 * whose value was bad is remembered, so cross-field checks can skip values that were never really read.
 */
final class YamlMap {
    private final NodeReader reader;
    private final String path;
    private final int line;
    private final Map<String, NodeTuple> entries;
    private final boolean misshapen;
    private final Set<String> known = new LinkedHashSet<>();
    private final Set<String> failed = new HashSet<>();

    /**
     * @param misshapen the value was not a mapping at all (already reported); its "missing" keys are then not
     *                  reported as well, since they follow from the one mistake
     */
    YamlMap(NodeReader reader, String path, int line, Map<String, NodeTuple> entries, boolean misshapen) {
        this.reader = reader;
        this.path = path;
        this.line = line;
        this.entries = entries;
        this.misshapen = misshapen;
    }

    boolean misshapen() {
        return misshapen;
    }

    /** Joins a key onto a path, quoting keys that would make the path ambiguous. */
    static String join(String path, String key) {
        String shown = key.isEmpty() || key.contains(".") || key.contains(" ") ? "\"" + key + "\"" : key;
        return path.isEmpty() ? shown : path + "." + shown;
    }

    String pathOf(String key) {
        return join(path, key);
    }

    /**
     * Where to report a problem about {@code key}: the key itself, else this mapping when the key is absent.
     * (Bad values are reported at the value, which matters for block scalars and lists.)
     */
    int lineOf(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? line : Problems.lineOf(tuple.getKeyNode());
    }

    /** The value of {@code key}; empty when absent or written empty. */
    Optional<Node> node(String key) {
        known.add(key);
        NodeTuple tuple = entries.get(key);
        return tuple == null || NodeReader.isAbsent(tuple.getValueNode())
                ? Optional.empty() : Optional.of(tuple.getValueNode());
    }

    /** The converted value; empty when absent, or when bad (the problem is already reported). */
    <T> Optional<T> get(String key, ValueType<T> type) {
        Optional<Node> node = node(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        Optional<T> value = reader.read(node.get(), pathOf(key), type);
        if (value.isEmpty()) {
            failed.add(key);
        }
        return value;
    }

    /** The converted value, or {@code fallback} when absent or bad; a bad value is reported, never defaulted. */
    <T> T get(String key, ValueType<T> type, T fallback) {
        return get(key, type).orElse(fallback);
    }

    /** Like {@link #get(String, ValueType)}, but an absent value is itself a problem. */
    <T> Optional<T> required(String key, ValueType<T> type) {
        if (node(key).isEmpty()) {
            if (!misshapen) {
                problem(key, "required; expected " + type.expected());
            }
            return Optional.empty();
        }
        return get(key, type);
    }

    /** A nested mapping of settings; empty when absent. */
    YamlMap map(String key) {
        return reader.map(node(key).orElse(null), pathOf(key), lineOf(key));
    }

    /** A nested list; empty when absent. */
    List<Node> list(String key, String expected) {
        return reader.list(node(key).orElse(null), pathOf(key), expected);
    }

    /**
     * All entries, for a mapping whose keys are names the operator chose (databases, tenants) rather than
     * settings; consequently none of them is unknown.
     */
    Map<String, NodeTuple> named() {
        known.addAll(entries.keySet());
        return entries;
    }

    /** Reports a problem about {@code key}, which then counts as failed. */
    void problem(String key, String message) {
        failed.add(key);
        reader.problems().add(pathOf(key), lineOf(key), message);
    }

    /** Whether any of these keys had a bad value, so a check comparing them would only add noise. */
    boolean failed(String... keys) {
        return Arrays.stream(keys).anyMatch(failed::contains);
    }

    /** Whether {@code key} has a value, without reading it. */
    boolean has(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple != null && !NodeReader.isAbsent(tuple.getValueNode());
    }

    /**
     * The accepted key {@code typed} is most likely a misspelling of: the nearest by edits (a letter added, dropped,
     * changed, or two neighbours swapped), at most one edit away for keys of up to five letters and two for longer
     * ones; empty when none is that near, or two are equally near.
     */
    private Optional<String> closest(String typed) {
        int allowed = typed.length() <= 5 ? 1 : 2;
        String best = null;
        int bestDistance = allowed + 1;
        boolean tie = false;
        for (String each : known) {
            int d = editDistance(typed, each);
            if (d < bestDistance) {
                best = each;
                bestDistance = d;
                tie = false;
            } else if (d == bestDistance) {
                tie = true;
            }
        }
        if (best != null && !tie) {
            return Optional.of(best);
        }
        // A key written without its prefix or suffix (pool_size for default_pool_size): the one known key that
        // holds it as whole words.
        String found = null;
        for (String each : known) {
            if (each.endsWith("_" + typed) || each.startsWith(typed + "_") || each.contains("_" + typed + "_")) {
                if (found != null) {
                    return Optional.empty();
                }
                found = each;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** Call after reading every accepted key: reports the keys nobody asked for. */
    void rejectUnknownKeys() {
        rejectUnknownKeys(PgBouncerNames.Section.OTHER);
    }

    /**
     * Like {@link #rejectUnknownKeys()}, for a mapping where an operator used to PgBouncer may write its names: such a
     * key is told what pgmux reads instead ({@link PgBouncerNames}), rather than offered the whole list.
     */
    void rejectUnknownKeys(PgBouncerNames.Section section) {
        for (Map.Entry<String, NodeTuple> entry : entries.entrySet()) {
            if (known.contains(entry.getKey())) {
                continue;
            }
            Node keyNode = entry.getValue().getKeyNode();
            String message = Tag.MERGE.equals(keyNode.getTag())
                    ? "YAML merge keys (<<) are not supported; write the keys out"
                    : PgBouncerNames.hint(section, entry.getKey()).orElseGet(() -> "unknown key"
                            + closest(entry.getKey()).map(k -> " (did you mean \"" + k + "\"?)").orElse("")
                            + "; expected one of: " + String.join(", ", known));
            reader.problems().add(pathOf(entry.getKey()), keyNode, message);
        }
    }
}
