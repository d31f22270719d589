package io.pgmux.docker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions of a Dockerfile, as the builder reads them: comments and blank lines dropped, lines ending in
 * a backslash joined, each instruction tagged with its build stage.
 */
final class Dockerfile {
    /** One instruction; {@code stage} is the index of its FROM, -1 before the first. */
    record Instruction(String keyword, String arguments, int line, int stage) {
        /** The words of the arguments, with {@code --flag=value} options split off into {@link #flags()}. */
        List<String> words() {
            List<String> words = new ArrayList<>();
            for (String word : arguments.trim().split("\\s+")) {
                if (!word.startsWith("--")) {
                    words.add(word);
                }
            }
            return words;
        }

        Map<String, String> flags() {
            Map<String, String> flags = new LinkedHashMap<>();
            for (String word : arguments.trim().split("\\s+")) {
                if (word.startsWith("--")) {
                    int equals = word.indexOf('=');
                    flags.put(equals < 0 ? word.substring(2) : word.substring(2, equals),
                            equals < 0 ? "" : word.substring(equals + 1));
                } else {
                    break;
                }
            }
            return flags;
        }
    }

    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

    private final List<Instruction> instructions;
    private final List<String> stageNames;

    private Dockerfile(List<Instruction> instructions, List<String> stageNames) {
        this.instructions = List.copyOf(instructions);
        this.stageNames = List.copyOf(stageNames);
    }

    static Dockerfile read(Path file) {
        List<Instruction> instructions = new ArrayList<>();
        List<String> stageNames = new ArrayList<>();
        String[] lines = Repository.read(file).split("\n", -1);
        StringBuilder pending = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending == null)) {
                continue;
            }
            if (pending == null) {
                pending = new StringBuilder();
                start = i + 1;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String text = pending.toString().trim();
            pending = null;
            int space = text.indexOf(' ');
            String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase();
            String arguments = space < 0 ? "" : text.substring(space + 1).trim();
            if (keyword.equals("FROM")) {
                Matcher as = Pattern.compile("(?i)\\s+AS\\s+(\\S+)$").matcher(arguments);
                stageNames.add(as.find() ? as.group(1) : "");
            }
            instructions.add(new Instruction(keyword, arguments, start, stageNames.size() - 1));
        }
        return new Dockerfile(instructions, stageNames);
    }

    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    Instruction only(String keyword) {
        List<Instruction> found = all(keyword);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + keyword + ", found " + found.size());
        }
        return found.get(0);
    }

    List<String> stageNames() {
        return stageNames;
    }

    int finalStage() {
        return stageNames.size() - 1;
    }

    /** The ENV values of the final stage, quotes removed. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Instruction instruction : all("ENV")) {
            if (instruction.stage() != finalStage()) {
                continue;
            }
            Matcher pair = ENV_PAIR.matcher(instruction.arguments());
            while (pair.find()) {
                String value = pair.group(2);
                if (value.startsWith("\"")) {
                    value = value.substring(1, value.length() - 1).replace("\\\"", "\"");
                }
                env.put(pair.group(1), value);
            }
        }
        return env;
    }
}
