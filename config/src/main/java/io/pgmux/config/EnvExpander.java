package io.pgmux.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Expands {@code ${VAR}} and {@code ${VAR:-default}} from an environment map, so secrets can stay out of the file.
 * {@code $$} is a literal {@code $}; any other {@code $} is kept as written, because passwords contain dollars far
 * more often than they contain {@code ${}. As in the shell, {@code :-} also replaces a variable that is set but
 * empty. Defaults are taken literally (no nesting): they run to the first {@code }}. A variable that is not set is an
 * error, or with {@link UnsetVariables#LEAVE_OUT} only named in {@link Expansion#unset()}.
 */
final class EnvExpander {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * The expanded text, or the reasons it could not be expanded (one per bad reference); with
     * {@link UnsetVariables#LEAVE_OUT}, the variables that are not set are in {@code unset} instead of {@code errors},
     * and the text is then incomplete.
     */
    record Expansion(String text, List<String> errors, List<String> unset) {
    }

    private final Map<String, String> env;
    private final UnsetVariables unsetVariables;

    EnvExpander(Map<String, String> env) {
        this(env, UnsetVariables.REFUSE);
    }

    EnvExpander(Map<String, String> env, UnsetVariables unsetVariables) {
        this.env = Map.copyOf(env);
        this.unsetVariables = unsetVariables;
    }

    Expansion expand(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        List<String> errors = new ArrayList<>();
        List<String> unset = new ArrayList<>();
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            char next = i + 1 < raw.length() ? raw.charAt(i + 1) : 0;
            if (c == '$' && next == '$') {
                out.append('$');
                i += 2;
            } else if (c == '$' && next == '{') {
                int close = raw.indexOf('}', i + 2);
                if (close < 0) {
                    errors.add("unterminated \"${\"; close it with \"}\" or write \"$$\" for a literal \"$\"");
                    break;
                }
                substitute(raw.substring(i + 2, close), out, errors, unset);
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return new Expansion(out.toString(), List.copyOf(errors), List.copyOf(unset));
    }

    private void substitute(String reference, StringBuilder out, List<String> errors, List<String> unset) {
        int separator = reference.indexOf(":-");
        String name = separator < 0 ? reference : reference.substring(0, separator);
        String fallback = separator < 0 ? null : reference.substring(separator + 2);
        if (!NAME.matcher(name).matches()) {
            errors.add("\"${" + reference + "}\" does not name an environment variable;"
                    + " write ${NAME} or ${NAME:-default}");
            return;
        }
        String value = env.get(name);
        if (fallback != null && (value == null || value.isEmpty())) {
            value = fallback;
        }
        if (value == null && unsetVariables == UnsetVariables.LEAVE_OUT) {
            unset.add(name);
            return;
        }
        if (value == null) {
            errors.add("environment variable " + name + " is not set; set it or write ${" + name + ":-default}");
            return;
        }
        out.append(value);
    }
}
