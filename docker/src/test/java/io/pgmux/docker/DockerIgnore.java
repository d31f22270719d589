package io.pgmux.docker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code .dockerignore} as Docker applies it: patterns in order, the last one that matches a path (or one of
 * its parent directories) decides, {@code !} re-includes, {@code **} spans directories, {@code *} and {@code ?}
 * stay within one.
 */
final class DockerIgnore {
    private record Rule(Pattern pattern, boolean include) {
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    static DockerIgnore read(Path file) {
        List<Rule> rules = new ArrayList<>();
        for (String line : Repository.read(file).split("\n")) {
            String text = line.trim();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            boolean include = text.startsWith("!");
            if (include) {
                text = text.substring(1).trim();
            }
            text = text.replaceAll("^/+", "").replaceAll("/+$", "");
            rules.add(new Rule(Pattern.compile(regex(text)), include));
        }
        return new DockerIgnore(rules);
    }

    /** Whether {@code path} (relative to the context, forward slashes) is sent to the builder. */
    boolean sends(String path) {
        boolean sent = true;
        for (Rule rule : rules) {
            if (matchesItOrAParent(rule.pattern(), path)) {
                sent = rule.include();
            }
        }
        return sent;
    }

    private static boolean matchesItOrAParent(Pattern pattern, String path) {
        String candidate = path;
        while (true) {
            if (pattern.matcher(candidate).matches()) {
                return true;
            }
            int slash = candidate.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            candidate = candidate.substring(0, slash);
        }
    }

    private static String regex(String glob) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                // "**/" also matches nothing at all, so **/target matches target at the top level.
                if (i + 2 < glob.length() && glob.charAt(i + 2) == '/') {
                    out.append("(?:.*/)?");
                    i += 2;
                } else {
                    out.append(".*");
                    i++;
                }
            } else if (c == '*') {
                out.append("[^/]*");
            } else if (c == '?') {
                out.append("[^/]");
            } else {
                out.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return out.toString();
    }
}
