package io.pgmux.admin.live;

import io.pgmux.admin.spi.ConfigRow;
import io.pgmux.config.AccessRules;
import io.pgmux.config.AuthQueryConfig;
import io.pgmux.config.PgmuxConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * SHOW CONFIG's authentication rows: {@code allow_password_without_tls}, the access rules ({@code hba}: how many
 * rules the file holds; {@code hba_file}: its path) and the global auth_query settings under PgBouncer's names
 * ({@code auth_user}, {@code auth_query}, {@code auth_dbname}, {@code auth_query_cache_ttl}). No password is shown:
 * auth_user's is in {@code users}, which SHOW CONFIG does not list.
 */
final class AuthRows {
    private AuthRows() {
    }

    static void add(List<ConfigRow> rows, PgmuxConfig c, PgmuxConfig d) {
        rows.add(ConfigRows.live("allow_password_without_tls", ConfigRows.onOff(c.allowPasswordWithoutTls()),
                ConfigRows.onOff(d.allowPasswordWithoutTls())));
        rows.add(ConfigRows.live("hba", inlineRules(c), ""));
        rows.add(ConfigRows.live("hba_file", hbaFile(c), ""));
        Optional<AuthQueryConfig> global = c.authQuery();
        rows.add(ConfigRows.live("auth_user", global.map(AuthQueryConfig::user).orElse(""), ""));
        rows.add(ConfigRows.live("auth_query", global.map(AuthQueryConfig::query).orElse(AuthQueryConfig.DEFAULT_QUERY),
                AuthQueryConfig.DEFAULT_QUERY));
        rows.add(ConfigRows.live("auth_dbname", global.flatMap(AuthQueryConfig::dbname).orElse(""), ""));
        rows.add(ConfigRows.live("auth_query_cache_ttl", cacheTtl(c), AuthQueryConfig.DEFAULT_CACHE_TTL));
    }

    /** The path of {@code hba_file}; empty when the rules are written in the file, or there are none. */
    static String hbaFile(PgmuxConfig c) {
        return c.hba().flatMap(AccessRules::file).map(Path::toString).orElse("");
    }

    /** How many rules {@code hba} writes in the configuration file ("3 rules"); empty without them. */
    private static String inlineRules(PgmuxConfig c) {
        return c.hba().filter(rules -> rules.file().isEmpty())
                .map(rules -> rules.rules().size() + (rules.rules().size() == 1 ? " rule" : " rules")).orElse("");
    }

    /**
     * The one cache lifetime in force: the key is global, and every database's lookup carries the same value, so
     * any lookup tells it when no global auth_user is set.
     */
    private static Duration cacheTtl(PgmuxConfig c) {
        return c.authQuery().or(() -> c.databases().values().stream().flatMap(db -> db.authQuery().stream())
                .findFirst()).map(AuthQueryConfig::cacheTtl).orElse(AuthQueryConfig.DEFAULT_CACHE_TTL);
    }
}
