package io.pgmux.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the access rules: {@code hba}, a YAML list of rules, or {@code hba_file}, a file in pg_hba.conf format.
 * Problems in that file are reported with its own name and line.
 */
final class HbaBinder {
    private static final String LIST_SHAPE =
            "a list of rules, each like \"- {type: host, database: all, user: all, address: all, method: md5}\"";

    private HbaBinder() {
    }

    static Optional<AccessRules> bind(YamlMap top, NodeReader reader, String source) {
        boolean listWritten = top.has("hba");
        List<Node> items = top.list("hba", LIST_SHAPE);
        Optional<String> fileName = top.get("hba_file", ValueType.nonEmptyString());
        if (listWritten && top.has("hba_file")) {
            top.problem("hba_file", "set either hba (rules in this file) or hba_file (a pg_hba.conf), not both");
            return Optional.empty();
        }
        if (fileName.isPresent()) {
            return file(top, reader, reader.resolve(fileName.get()));
        }
        if (!listWritten || top.failed("hba")) {
            return Optional.empty();
        }
        if (items.isEmpty()) {
            top.problem("hba", "at least one rule is required (with none every connection would be refused);"
                    + " remove the key to authenticate everyone with auth_type");
            return Optional.empty();
        }
        List<HbaRule> rules = new ArrayList<>();
        boolean complete = true;
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            Optional<HbaRule> rule = rule(reader.map(item, top.pathOf("hba") + "[" + i + "]",
                    Problems.lineOf(item)), reader, Problems.lineOf(item));
            rule.ifPresent(rules::add);
            complete &= rule.isPresent();
        }
        // A partial list would admit what the broken rule was meant to refuse; the problems stop the load anyway.
        return complete ? Optional.of(new AccessRules(source, rules)) : Optional.empty();
    }

    private static Optional<HbaRule> rule(YamlMap m, NodeReader reader, int line) {
        Optional<HbaConnectionType> type = m.required("type", ValueType.hbaType());
        Optional<HbaNames> databases = names(m, reader, "database", HbaNames.Column.DATABASE);
        Optional<HbaNames> users = names(m, reader, "user", HbaNames.Column.USER);
        Optional<HbaAddress> address = m.required("address", ValueType.hbaAddress());
        Optional<AuthType> method = m.required("method", ValueType.hbaMethod());
        m.rejectUnknownKeys();
        if (type.isEmpty() || databases.isEmpty() || users.isEmpty() || address.isEmpty() || method.isEmpty()) {
            return Optional.empty();
        }
        try {
            HbaSyntax.checkMethodFitsType(type.get(), method.get());
        } catch (IllegalArgumentException e) {
            m.problem("method", e.getMessage());
            return Optional.empty();
        }
        return Optional.of(new HbaRule(line, type.get(), databases.get(), users.get(), address.get(), method.get()));
    }

    /** A name, names separated by commas, or a list of names. */
    private static Optional<HbaNames> names(YamlMap m, NodeReader reader, String key, HbaNames.Column column) {
        Optional<Node> present = m.node(key);
        if (present.isEmpty()) {
            if (!m.misshapen()) {
                m.problem(key, "required; expected a name, names separated by commas, or a list of names");
            }
            return Optional.empty();
        }
        Node node = present.get();
        List<HbaNames.Token> tokens = new ArrayList<>();
        List<Node> items = node instanceof SequenceNode ? ((SequenceNode) node).getValue() : List.of(node);
        for (int i = 0; i < items.size(); i++) {
            String path = node instanceof SequenceNode ? m.pathOf(key) + "[" + i + "]" : m.pathOf(key);
            Optional<String> text = reader.read(items.get(i), path, ValueType.nonEmptyString());
            if (text.isEmpty()) {
                return Optional.empty();
            }
            for (String name : text.get().split(",", -1)) {
                tokens.add(new HbaNames.Token(name.trim(), false));
            }
        }
        try {
            return Optional.of(HbaNames.parse(tokens, column));
        } catch (IllegalArgumentException e) {
            m.problem(key, e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<AccessRules> file(YamlMap top, NodeReader reader, Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            top.problem("hba_file", FileErrors.cannotRead(path, e));
            return Optional.empty();
        }
        HbaFileParser.Result parsed = HbaFileParser.parse(text);
        for (HbaFileParser.LineError error : parsed.errors()) {
            reader.problems().addIn(path.toString(), "", error.line(), error.message());
        }
        return parsed.errors().isEmpty() ? Optional.of(AccessRules.fromFile(path, parsed.rules()))
                : Optional.empty();
    }
}
