package io.pgmux.session;

import io.pgmux.protocol.ProtocolException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the {@code options} startup parameter the way the PostgreSQL server does for {@code -c name=value}
 * (and {@code --name=value}) switches: arguments separated by spaces, a backslash escapes the next character.
 */
public final class StartupOptions {
    private StartupOptions() {
    }

    public static Map<String, String> parse(String options) {
        Map<String, String> result = new LinkedHashMap<>();
        String[] args = split(options);
        for (int i = 0; i < args.length; i++) {
            String each = args[i];
            String setting;
            if (each.equals("-c")) {
                if (i + 1 >= args.length) {
                    throw new ProtocolException("options: \"-c\" needs a name=value after it");
                }
                setting = args[++i];
            } else if (each.startsWith("-c")) {
                setting = each.substring(2);
            } else if (each.startsWith("--")) {
                setting = each.substring(2);
            } else {
                throw new ProtocolException("options: \"" + each + "\" is not supported through pgmux; use -c name=value");
            }
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new ProtocolException("options: \"" + setting + "\" is not of the form name=value");
            }
            result.put(setting.substring(0, eq).replace('-', '_'), setting.substring(eq + 1));
        }
        return result;
    }

    private static String[] split(String options) {
        java.util.List<String> args = new java.util.ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inArg = false;
        for (int i = 0; i < options.length(); i++) {
            char c = options.charAt(i);
            if (c == '\\' && i + 1 < options.length()) {
                current.append(options.charAt(++i));
                inArg = true;
            } else if (Character.isWhitespace(c)) {
                if (inArg) {
                    args.add(current.toString());
                    current.setLength(0);
                    inArg = false;
                }
            } else {
                current.append(c);
                inArg = true;
            }
        }
        if (inArg) {
            args.add(current.toString());
        }
        return args.toArray(new String[0]);
    }
}
