package io.pgmux.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code hba} rules (or those of {@code hba_file}) in order. Where they are configured they alone decide who
 * may log in and how: the first matching rule's method applies, and a connection no rule matches is refused,
 * as by PostgreSQL.
 *
 * @param source where the rules were read, for logs: the configuration file or the {@code hba_file}
 * @param file   the {@code hba_file} the rules were read from; empty for rules written under {@code hba}
 */
public record AccessRules(String source, Optional<Path> file, List<HbaRule> rules) {
    public AccessRules {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(file, "file");
        rules = List.copyOf(rules);
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("access rules need at least one rule");
        }
    }

    /** Rules written in the configuration file ({@code hba}), read from {@code source}. */
    public AccessRules(String source, List<HbaRule> rules) {
        this(source, Optional.empty(), rules);
    }

    /** Rules read from {@code file} ({@code hba_file}). */
    public static AccessRules fromFile(Path file, List<HbaRule> rules) {
        return new AccessRules(file.toString(), Optional.of(file), rules);
    }

    /** The first rule covering this connection; empty means it must be refused. */
    public Optional<HbaRule> firstMatch(ConnectionEncryption encryption, String database, String user,
                                        InetAddress client) {
        for (HbaRule rule : rules) {
            if (rule.matches(encryption, database, user, client)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }
}
