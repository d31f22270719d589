package io.pgmux.cli.env;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes a configuration tree (maps, lists, strings, integers, booleans) as pgmux YAML. snakeyaml's emitter
 * chooses the quoting, so any password survives: quotes, {@code #}, leading spaces, line breaks, or text such as
 * {@code yes} or {@code 123} that would otherwise read as another type. Every {@code $} in a value is doubled,
 * because the configuration loader expands {@code ${VAR}} in values and reads {@code $$} as one {@code $}; keys
 * are not expanded and are written as they are.
 */
final class ConfigYaml {
    private ConfigYaml() {
    }

    static String render(String header, Map<String, Object> tree) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        // A control character is escaped in a double-quoted string, not turned into !!binary, which would load
        // back as its base64 text.
        options.setNonPrintableStyle(DumperOptions.NonPrintableStyle.ESCAPE);
        // Long values stay on one line: a folded password would still load, but nobody could read it back.
        options.setSplitLines(false);
        options.setWidth(Integer.MAX_VALUE);
        StringBuilder out = new StringBuilder();
        header.lines().forEach(line -> out.append("# ").append(line).append('\n'));
        return out.append(new Yaml(options).dump(escaped(tree))).toString();
    }

    private static Object escaped(Object value) {
        if (value instanceof String) {
            return ((String) value).replace("$", "$$");
        }
        if (value instanceof Map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            ((Map<?, ?>) value).forEach((k, v) -> copy.put(k, escaped(v)));
            return copy;
        }
        if (value instanceof List) {
            List<Object> copy = new ArrayList<>();
            ((List<?>) value).forEach(v -> copy.add(escaped(v)));
            return copy;
        }
        if (value instanceof Integer || value instanceof Boolean) {
            return value;
        }
        throw new IllegalArgumentException("not a configuration value: " + value.getClass().getName());
    }
}
