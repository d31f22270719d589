package io.pgmux.cli.env;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads client logins written as {@code name:password}: comma-separated in a variable ({@code PGMUX_USERS}), or
 * one per line in a file ({@code PGMUX_USERS_FILE}, e.g. a mounted Kubernetes or Docker secret). A password runs
 * from the first colon to the end of its entry, so it may hold colons (and, in a file, commas); a name may not
 * hold either. Spaces around a name are dropped; a password is taken exactly as written.
 *
 * <p>Messages name an entry by its number (and its user name once it has a colon), never by its password.
 */
public final class ClientLogins {
    private ClientLogins() {
    }

    /** {@code name:password,name2:password2}; {@code name:} is a user without a password. */
    public static List<ClientLogin> fromList(String text) {
        return parse(List.of(text.split(",", -1)), "entry", false);
    }

    /** One {@code name:password} per line; blank lines are skipped, as are the CRs of CRLF line ends. */
    public static List<ClientLogin> fromFile(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
        return parse(lines, "line", true);
    }

    private static List<ClientLogin> parse(List<String> entries, String unit, boolean skipBlank) {
        List<ClientLogin> logins = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            if (entry.isBlank()) {
                if (skipBlank) {
                    continue;
                }
                throw new IllegalArgumentException(unit + " " + (i + 1) + " is empty; write name:password,"
                        + "name2:password2");
            }
            int colon = entry.indexOf(':');
            if (colon < 0) {
                // Without the colon the entry might be all password; it must not become a user name in a log.
                throw new IllegalArgumentException(unit + " " + (i + 1) + " has no \":\"; write name:password, or"
                        + " name: for a user without one");
            }
            String name = entry.substring(0, colon).strip();
            if (name.isEmpty()) {
                throw new IllegalArgumentException(unit + " " + (i + 1) + " has no user name before its \":\"");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException(unit + " " + (i + 1) + " names user \"" + name
                        + "\" a second time");
            }
            String password = entry.substring(colon + 1);
            logins.add(new ClientLogin(name, password.isEmpty() ? Optional.empty() : Optional.of(password)));
        }
        if (logins.isEmpty()) {
            throw new IllegalArgumentException("lists no users; write name:password, one per line");
        }
        return List.copyOf(logins);
    }
}
