package io.pgmux.docker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Plain YAML documents (maps, lists, scalars) and a few typed lookups that fail with the path they wanted. */
final class YamlFiles {
    private YamlFiles() {
    }

    static List<Map<String, Object>> documents(Path file) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions()))
                .loadAll(Repository.read(file))) {
            if (document != null) {
                documents.add(map(document, file.getFileName().toString()));
            }
        }
        return documents;
    }

    static Map<String, Object> document(Path file) {
        List<Map<String, Object>> documents = documents(file);
        if (documents.size() != 1) {
            throw new AssertionError(file + ": expected one YAML document, found " + documents.size());
        }
        return documents.get(0);
    }

    /** The value at a dotted path of keys, e.g. {@code spec.template.spec}; fails when any step is missing. */
    static Object at(Map<String, Object> root, String path) {
        Object current = root;
        for (String key : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                throw new AssertionError("no " + path + " (missing " + key + ")");
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String what) {
        if (!(value instanceof Map)) {
            throw new AssertionError(what + ": expected a mapping, got " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value, String what) {
        if (!(value instanceof List)) {
            throw new AssertionError(what + ": expected a list, got " + value);
        }
        return (List<Object>) value;
    }

    static List<Map<String, Object>> maps(Object value, String what) {
        return list(value, what).stream().map(item -> map(item, what)).toList();
    }

    static Map<String, Object> mapAt(Map<String, Object> root, String path) {
        return map(at(root, path), path);
    }

    static List<Map<String, Object>> mapsAt(Map<String, Object> root, String path) {
        return maps(at(root, path), path);
    }
}
