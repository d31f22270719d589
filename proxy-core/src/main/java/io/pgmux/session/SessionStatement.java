package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the session effects ({@link SessionEffects}) of a client's SQL text, every statement of it. The commands
 * and functions that act on session state (PostgreSQL docs: SET, RESET, DISCARD, LISTEN, LOAD, PREPARE, DECLARE,
 * CREATE TEMPORARY, SELECT INTO, DO; set_config, the pg_settings view, session advisory locks) are found by
 * their words first: a text without any of them, which is nearly every query, costs one pass of
 * {@link SqlLexer} and no allocation. Only texts holding such a word are split into tokens and read statement by
 * statement.
 */
final class SessionStatement {
    /** Commands that act on session state when they begin a statement. */
    private static final long COMMANDS = SqlWord.bits(SqlWord.SET, SqlWord.RESET, SqlWord.DISCARD,
            SqlWord.LISTEN, SqlWord.PREPARE, SqlWord.DECLARE, SqlWord.DO, SqlWord.LOAD);
    /** Names that act on session state wherever they stand. */
    private static final long NAMES = SqlWord.bits(SqlWord.SET_CONFIG, SqlWord.PG_SETTINGS,
            SqlWord.PG_ADVISORY_LOCK, SqlWord.PG_ADVISORY_LOCK_SHARED, SqlWord.PG_TRY_ADVISORY_LOCK,
            SqlWord.PG_TRY_ADVISORY_LOCK_SHARED, SqlWord.TEMP, SqlWord.TEMPORARY, SqlWord.PG_TEMP);
    private static final Set<String> ADVISORY_LOCKS = Set.of("pg_advisory_lock", "pg_advisory_lock_shared",
            "pg_try_advisory_lock", "pg_try_advisory_lock_shared");
    private static final Set<String> TRUE = Set.of("true", "t", "on", "yes", "y", "1");
    private static final String TEMPORARY_TABLE = "temporary table";
    /** Commands that begin or end a transaction block, or a part of one (PostgreSQL docs: SQL Commands). */
    private static final Set<String> TRANSACTION_CONTROL = Set.of("begin", "start", "commit", "end", "rollback",
            "abort", "savepoint", "release");

    private SessionStatement() {
    }

    /**
     * The effects of the SQL text at {@code [start, end)} of {@code buf} (a Query's, or a Parse's), read with
     * {@code lexer}.
     *
     * @param standardConformingStrings the client's standard_conforming_strings
     */
    static SessionEffects of(ByteBuf buf, int start, int end, boolean standardConformingStrings, SqlLexer lexer) {
        lexer.lex(buf, start, end, standardConformingStrings, null);
        if ((lexer.firstWords() & COMMANDS) == 0 && (lexer.words() & NAMES) == 0) {
            return SessionEffects.NONE;
        }
        SessionEffects.Builder effects = new SessionEffects.Builder();
        for (List<SqlToken> statement : SqlStatements.tokens(buf, start, end, standardConformingStrings)) {
            statement(statement, 0, effects);
            anywhere(statement, effects);
            SqlToken first = statement.get(0);
            if (first.kind() == SqlLexer.Token.WORD && (TRANSACTION_CONTROL.contains(first.text())
                    || (first.text().equals("prepare") && word(statement, 1, "transaction")))) {
                effects.transactionControl();
            }
        }
        return effects.build();
    }

    /** OIDs of pg_catalog functions (fixed in PostgreSQL's catalog): set_config, the session advisory locks. */
    private static final int SET_CONFIG_OID = 2078;
    private static final Set<Integer> ADVISORY_LOCK_OIDS = Set.of(2880, 2881, 2882, 2883, 2886, 2887, 2888, 2889);

    /**
     * The effects of a FunctionCall message: as for SQL calling the same function, except that set_config's
     * arguments are not read (its setting name is as unknown as a computed one).
     */
    static SessionEffects ofFunctionCall(int functionOid) {
        if (ADVISORY_LOCK_OIDS.contains(functionOid)) {
            return new SessionEffects.Builder().pin("session advisory lock").build();
        }
        if (functionOid == SET_CONFIG_OID) {
            return new SessionEffects.Builder().pin("set_config through a FunctionCall message").unnamed().build();
        }
        return SessionEffects.NONE;
    }

    /** The effects of a text of SQL, as {@link #of(ByteBuf, int, int, boolean, SqlLexer)} (for tests and DO). */
    static SessionEffects of(String sql) {
        ByteBuf buf = Unpooled.wrappedBuffer(sql.getBytes(StandardCharsets.UTF_8));
        return of(buf, 0, buf.writerIndex(), true, new SqlLexer());
    }

    /** The command that begins at token {@code at}. */
    private static void statement(List<SqlToken> tokens, int at, SessionEffects.Builder effects) {
        SqlToken first = tokens.get(at);
        if (first.kind() != SqlLexer.Token.WORD) {
            return;
        }
        switch (first.text()) {
            case "set":
                set(tokens, at + 1, effects);
                return;
            case "reset":
                reset(tokens, at + 1, effects);
                return;
            case "discard":
                if (word(tokens, at + 1, "all")) {
                    effects.resetAll();
                }
                return;
            case "listen":
                effects.pin("LISTEN");
                return;
            case "load":
                effects.pin("LOAD of a library"); // it stays loaded in that backend, for whoever comes next
                return;
            case "prepare":
                if (!word(tokens, at + 1, "transaction")) {
                    effects.pin("SQL PREPARE");
                }
                return;
            case "declare":
                if (sequence(tokens, at, "with", "hold")) {
                    effects.pin("cursor WITH HOLD");
                }
                return;
            case "create":
                create(tokens, at + 1, effects);
                return;
            case "select":
            case "with":
                if (sequence(tokens, at, "into", "temp") || sequence(tokens, at, "into", "temporary")) {
                    effects.pin(TEMPORARY_TABLE);
                }
                return;
            case "do":
                doBlock(tokens, at + 1, effects);
                return;
            default:
        }
    }

    /** SET [SESSION] name {TO | =} value, and SET's special forms (PostgreSQL docs: SET). */
    private static void set(List<SqlToken> tokens, int at, SessionEffects.Builder effects) {
        int i = at;
        if (word(tokens, i, "local") || word(tokens, i, "transaction") || word(tokens, i, "constraints")) {
            return; // ends with the transaction
        }
        if (word(tokens, i, "session")) {
            if (word(tokens, i + 1, "characteristics")) {
                effects.set("default_transaction_isolation").set("default_transaction_read_only")
                        .set("default_transaction_deferrable");
                return;
            }
            if (word(tokens, i + 1, "authorization")) {
                setOrReset(effects, "session_authorization", word(tokens, i + 2, "default"));
                return;
            }
            i++;
        }
        if (word(tokens, i, "role")) {
            setOrReset(effects, "role", word(tokens, i + 1, "none"));
            return;
        }
        if (word(tokens, i, "time") && word(tokens, i + 1, "zone")) {
            setOrReset(effects, "timezone", word(tokens, i + 2, "default") || word(tokens, i + 2, "local"));
            return;
        }
        if (word(tokens, i, "names")) {
            setOrReset(effects, "client_encoding", word(tokens, i + 1, "default"));
            return;
        }
        if (word(tokens, i, "schema")) {
            effects.set("search_path");
            return;
        }
        if (word(tokens, i, "xml") && word(tokens, i + 1, "option")) {
            setOrReset(effects, "xmloption", word(tokens, i + 2, "default"));
            return;
        }
        int end = nameEnd(tokens, i);
        if (end < 0) {
            return;
        }
        String name = name(tokens, i, end, effects);
        if (name != null) {
            boolean toDefault = (word(tokens, end, "to") || (end < tokens.size() && tokens.get(end).isSymbol('=')))
                    && word(tokens, end + 1, "default") && end + 2 == tokens.size();
            setOrReset(effects, name, toDefault);
        }
    }

    /** RESET name, RESET ALL and RESET's special forms. */
    private static void reset(List<SqlToken> tokens, int at, SessionEffects.Builder effects) {
        if (word(tokens, at, "all")) {
            effects.resetAll();
        } else if (word(tokens, at, "role")) {
            effects.reset("role");
        } else if (word(tokens, at, "session") && word(tokens, at + 1, "authorization")) {
            effects.reset("session_authorization");
        } else if (word(tokens, at, "time") && word(tokens, at + 1, "zone")) {
            effects.reset("timezone");
        } else if (!word(tokens, at, "transaction")) {
            int end = nameEnd(tokens, at);
            String name = end < 0 ? null : name(tokens, at, end, effects);
            if (name != null) {
                effects.reset(name);
            }
        }
    }

    private static void setOrReset(SessionEffects.Builder effects, String name, boolean reset) {
        if (reset) {
            effects.reset(name);
        } else {
            effects.set(name);
        }
    }

    /**
     * CREATE of a temporary object: CREATE [GLOBAL | LOCAL] {TEMP | TEMPORARY} ..., or one created in schema
     * pg_temp. It outlives its transaction, and pins, unless it is a table created ON COMMIT DROP.
     */
    private static void create(List<SqlToken> tokens, int at, SessionEffects.Builder effects) {
        int i = at;
        if (word(tokens, i, "or") && word(tokens, i + 1, "replace")) {
            i += 2;
        }
        if (word(tokens, i, "global") || word(tokens, i, "local")) {
            i++;
        }
        boolean temporary = word(tokens, i, "temp") || word(tokens, i, "temporary");
        for (int k = at; k + 1 < tokens.size() && !temporary; k++) {
            SqlToken each = tokens.get(k);
            temporary = (each.kind() == SqlLexer.Token.WORD || each.kind() == SqlLexer.Token.QUOTED_IDENTIFIER)
                    && (each.text().equals("pg_temp") || each.text().startsWith("pg_temp_"))
                    && tokens.get(k + 1).isSymbol('.');
        }
        if (temporary && !sequence(tokens, at, "on", "commit", "drop")) {
            effects.pin(TEMPORARY_TABLE);
        }
    }

    /**
     * DO: its body runs server-side, where pgmux cannot follow each statement. Every session-level setting is
     * asked for afterwards; the body is read as SQL for the names of settings it may set (found the way SET,
     * RESET and set_config show them, wherever they stand) and for what would pin.
     */
    private static void doBlock(List<SqlToken> tokens, int at, SessionEffects.Builder effects) {
        effects.unnamed();
        for (int i = at; i < tokens.size(); i++) {
            if (tokens.get(i).isString()) {
                body(tokens.get(i).text(), effects, 2);
            }
        }
    }

    private static void body(String text, SessionEffects.Builder effects, int depth) {
        ByteBuf buf = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.ISO_8859_1));
        for (List<SqlToken> statement : SqlStatements.tokens(buf, 0, buf.writerIndex(), true)) {
            for (int i = 0; i < statement.size(); i++) {
                SqlToken each = statement.get(i);
                if (each.kind() == SqlLexer.Token.WORD) {
                    statement(statement, i, effects);
                } else if (each.isString() && depth > 1) {
                    // Dynamic SQL: EXECUTE 'SET ...'.
                    body(each.text(), effects, depth - 1);
                }
            }
            anywhere(statement, effects);
        }
    }

    /** Functions that act on session state, wherever they are called. */
    private static void anywhere(List<SqlToken> tokens, SessionEffects.Builder effects) {
        for (int i = 0; i < tokens.size(); i++) {
            SqlToken each = tokens.get(i);
            if (each.kind() != SqlLexer.Token.WORD && each.kind() != SqlLexer.Token.QUOTED_IDENTIFIER) {
                continue;
            }
            String name = each.text();
            if (ADVISORY_LOCKS.contains(name)) {
                effects.pin("session advisory lock");
            } else if (name.equals("pg_settings")) {
                effects.unnamed(); // UPDATE pg_settings SET setting = ... is a SET
            } else if (name.equals("set_config") && i + 1 < tokens.size() && tokens.get(i + 1).isSymbol('(')) {
                setConfig(arguments(tokens, i + 2), effects);
            }
        }
    }

    /**
     * set_config(setting_name, new_value, is_local): a SET unless is_local is true, a RESET when new_value is
     * NULL (PostgreSQL docs: Configuration Settings Functions).
     */
    private static void setConfig(List<List<SqlToken>> arguments, SessionEffects.Builder effects) {
        if (arguments.size() != 3) {
            return; // not the built-in function
        }
        List<SqlToken> local = arguments.get(2);
        if (!local.isEmpty() && (local.get(0).isWord("true")
                || (local.get(0).isString() && TRUE.contains(local.get(0).text().trim().toLowerCase(Locale.ROOT))))) {
            return;
        }
        List<SqlToken> name = arguments.get(0);
        if (name.isEmpty() || !name.get(0).isString() || (name.size() > 1 && !name.get(1).isSymbol(':'))) {
            effects.pin("set_config with a setting name computed at run time");
            effects.unnamed();
            return;
        }
        String setting = settingName(name.get(0).text(), effects);
        if (setting == null) {
            return;
        }
        List<SqlToken> value = arguments.get(1);
        setOrReset(effects, setting, value.size() == 1 && value.get(0).isWord("null"));
    }

    /** The comma-separated arguments of a call, from the token after its '(' to the matching ')'. */
    private static List<List<SqlToken>> arguments(List<SqlToken> tokens, int at) {
        List<List<SqlToken>> result = new ArrayList<>(3);
        List<SqlToken> current = new ArrayList<>();
        int depth = 0;
        for (int i = at; i < tokens.size(); i++) {
            SqlToken each = tokens.get(i);
            if (each.isSymbol('(') || each.isSymbol('[')) {
                depth++;
            } else if ((each.isSymbol(')') || each.isSymbol(']')) && depth-- == 0) {
                break;
            } else if (each.isSymbol(',') && depth == 0) {
                result.add(current);
                current = new ArrayList<>();
                continue;
            }
            current.add(each);
        }
        result.add(current);
        return result;
    }

    /** Where a setting name (one identifier, or two joined by a dot) that starts at {@code at} ends, or -1. */
    private static int nameEnd(List<SqlToken> tokens, int at) {
        if (!identifier(tokens, at)) {
            return -1;
        }
        if (at + 2 < tokens.size() && tokens.get(at + 1).isSymbol('.') && identifier(tokens, at + 2)) {
            return at + 3;
        }
        return at + 1;
    }

    private static String name(List<SqlToken> tokens, int from, int to, SessionEffects.Builder effects) {
        StringBuilder result = new StringBuilder();
        for (int i = from; i < to; i++) {
            result.append(tokens.get(i).text());
        }
        return settingName(result.toString(), effects);
    }

    /**
     * A setting name as the server looks it up (ignoring case), or null (and a pin) when it holds bytes beyond
     * ASCII: their meaning depends on the client's encoding, which pgmux does not decode.
     */
    private static String settingName(String text, SessionEffects.Builder effects) {
        StringBuilder result = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                effects.pin("a setting whose name is not ASCII");
                return null;
            }
            result.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return result.toString();
    }

    private static boolean identifier(List<SqlToken> tokens, int at) {
        return at < tokens.size() && (tokens.get(at).kind() == SqlLexer.Token.WORD
                || tokens.get(at).kind() == SqlLexer.Token.QUOTED_IDENTIFIER);
    }

    private static boolean word(List<SqlToken> tokens, int at, String word) {
        return at < tokens.size() && tokens.get(at).isWord(word);
    }

    /** Whether the words occur one right after the other somewhere from {@code at} on. */
    private static boolean sequence(List<SqlToken> tokens, int at, String... words) {
        for (int i = at; i + words.length <= tokens.size(); i++) {
            int k = 0;
            while (k < words.length && tokens.get(i + k).isWord(words[k])) {
                k++;
            }
            if (k == words.length) {
                return true;
            }
        }
        return false;
    }
}
