package io.pgmux.cli;

import io.pgmux.config.PgmuxConfig;
import java.util.List;

/**
 * Settings this version of pgmux reads and validates but does not apply yet: the login path still behaves as
 * without them. Running with one would let an operator believe users are looked up when they are not, so
 * {@code run} refuses to start and {@code check-config} warns. Each entry goes away when its setting is applied.
 */
final class UnappliedSettings {
    private UnappliedSettings() {
    }

    /** One line per setting in {@code config} that is not applied yet; empty when there is none. */
    static List<String> in(PgmuxConfig config) {
        // Every setting pgmux reads is applied now; the check stays for the next one that is not yet.
        return List.of();
    }
}
