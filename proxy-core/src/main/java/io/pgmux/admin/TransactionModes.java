package io.pgmux.admin;

import io.pgmux.admin.CommandTokens.Kind;
import io.pgmux.admin.CommandTokens.Token;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.SqlState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The transaction modes of {@code SET TRANSACTION} and {@code SET SESSION CHARACTERISTICS AS TRANSACTION} (gram.y
 * transaction_mode_list): {@code ISOLATION LEVEL} serializable, repeatable read, read committed or read uncommitted,
 * {@code READ ONLY} or {@code READ WRITE}, {@code [NOT] DEFERRABLE}, separated by commas or spaces, each read as the
 * setting it stands for (default_transaction_isolation, default_transaction_read_only,
 * default_transaction_deferrable), a later mode overriding an earlier one as in PostgreSQL.
 */
final class TransactionModes {
    private TransactionModes() {
    }

    /**
     * @param tokens the tokens after {@code TRANSACTION}
     * @return the settings the modes stand for, by their lower-case name, in the order given
     * @throws AdminException 42601 for no mode or a word that is not one
     */
    static Map<String, String> parse(List<Token> tokens) {
        Map<String, String> settings = new LinkedHashMap<>();
        int i = 0;
        boolean expectMode = true;
        while (i < tokens.size()) {
            Token t = tokens.get(i);
            if (t.kind() == Kind.COMMA && !expectMode) {
                expectMode = true;
                i++;
                continue;
            }
            if (t.is("isolation") && at(tokens, i + 1, "level")) {
                i += 2;
                String level;
                if (at(tokens, i, "serializable")) {
                    level = "serializable";
                    i += 1;
                } else if (at(tokens, i, "repeatable") && at(tokens, i + 1, "read")) {
                    level = "repeatable read";
                    i += 2;
                } else if (at(tokens, i, "read") && at(tokens, i + 1, "committed")) {
                    level = "read committed";
                    i += 2;
                } else if (at(tokens, i, "read") && at(tokens, i + 1, "uncommitted")) {
                    level = "read uncommitted";
                    i += 2;
                } else {
                    throw syntax(tokens, i);
                }
                settings.put("default_transaction_isolation", level);
            } else if (t.is("read") && at(tokens, i + 1, "only")) {
                settings.put("default_transaction_read_only", "on");
                i += 2;
            } else if (t.is("read") && at(tokens, i + 1, "write")) {
                settings.put("default_transaction_read_only", "off");
                i += 2;
            } else if (t.is("deferrable")) {
                settings.put("default_transaction_deferrable", "on");
                i += 1;
            } else if (t.is("not") && at(tokens, i + 1, "deferrable")) {
                settings.put("default_transaction_deferrable", "off");
                i += 2;
            } else {
                throw syntax(tokens, i);
            }
            expectMode = false;
        }
        if (expectMode) {
            throw syntax(tokens, tokens.size());
        }
        return settings;
    }

    private static boolean at(List<Token> tokens, int i, String keyword) {
        return i < tokens.size() && tokens.get(i).is(keyword);
    }

    /** PostgreSQL's syntax error, naming the token where the modes stop making sense. */
    private static AdminException syntax(List<Token> tokens, int i) {
        return new AdminException(SqlState.SYNTAX_ERROR, i < tokens.size()
                ? "syntax error at or near \"" + Excerpt.of(tokens.get(i).shown()) + "\""
                : "syntax error at end of input");
    }
}
