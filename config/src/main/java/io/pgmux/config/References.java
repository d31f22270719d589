package io.pgmux.config;

import java.util.Set;

/** The wording for a name that points at nothing, listing what does exist so a typo is easy to spot. */
final class References {
    private References() {
    }

    static String undefined(String kind, String name, String section, Set<String> defined) {
        String known = defined.isEmpty()
                ? "no " + section + " are defined"
                : "defined: " + String.join(", ", defined);
        return kind + " \"" + name + "\" is not defined in " + section + " (" + known + ")";
    }
}
