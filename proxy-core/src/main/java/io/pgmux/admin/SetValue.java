package io.pgmux.admin;

import io.pgmux.admin.CommandTokens.Kind;
import io.pgmux.admin.CommandTokens.Token;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of a console SET of a session parameter, read as PostgreSQL 15 reads it: the items of its var_list
 * (gram.y), each a name, a string or a number, which SET makes one string (flatten_set_variable_args, guc.c). A name
 * not in double quotes is folded to lower case ({@code SET application_name = Foo} sets {@code foo}), a quoted one
 * and a string keep theirs; a name of more than 63 bytes is cut with NOTICE 42622 as the scanner cuts it; an integer
 * is written back in decimal ({@code +3} and {@code 03} are {@code 3}), any other number as written. What PostgreSQL's
 * grammar would not take as a value ({@code 10s}, {@code a.b}, a reserved key word but TRUE, FALSE and ON) is its
 * 42601 syntax error; in a list of names, a key word is quoted as quote_identifier quotes it.
 *
 * <p>Not read: E'' strings, $$ strings and U&amp; names: their first letter is a word apart, so they are a syntax
 * error here.
 */
record SetValue(List<Item> items) {
    /** What an item was written as. */
    enum ItemKind { NAME, STRING, NUMBER }

    /** One item; {@code text} is unquoted, a name's folded, a number's as SET keeps it. */
    record Item(ItemKind kind, String text) {
    }

    /** NAMEDATALEN - 1 (pg_config_manual.h): the bytes of a name the scanner keeps. */
    private static final int NAME_BYTES = 63;
    /** SQLSTATE name_too_long (errcodes.txt). */
    private static final String NAME_TOO_LONG = "42622";
    /** The scanner's numbers (scan.l decinteger, decimal, real), with a sign the grammar allows before one. */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+|\\d+\\.\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    /** The scanner's identifier: a letter, _ or a non-ASCII character, then those, digits and $. */
    private static final Pattern NAME = Pattern.compile(
            "[A-Za-z_\\x{80}-\\x{10FFFF}][A-Za-z0-9_$\\x{80}-\\x{10FFFF}]*");
    /** A name that quote_identifier may leave bare (ruleutils.c), if it is no key word. */
    private static final Pattern BARE_NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    /** The reserved key words a SET takes as a value. */
    private static final Set<String> BOOLEAN_WORDS = Set.of("true", "false", "on");
    /** The characters of an operator (scan.l op_chars), which PostgreSQL's syntax error names as one token. */
    private static final String OPERATOR_CHARS = "~!@#^&|`?+-*/%<>=";

    SetValue {
        items = List.copyOf(items);
    }

    /** A value of these items. */
    static SetValue of(Item... items) {
        return new SetValue(List.of(items));
    }

    /**
     * Reads the tokens after {@code =} or {@code TO}: items separated by commas.
     *
     * @throws AdminException 42601 for nothing, a dangling comma, or an item PostgreSQL's grammar does not take
     */
    static SetValue parse(List<Token> tokens) {
        List<Item> items = new ArrayList<>(tokens.size() / 2 + 1);
        boolean expectItem = true;
        for (Token each : tokens) {
            if (expectItem && each.isValue()) {
                items.add(item(each));
                expectItem = false;
            } else if (!expectItem && each.kind() == Kind.COMMA) {
                expectItem = true;
            } else {
                throw syntax("syntax error at or near \"" + Excerpt.of(each.shown()) + "\"");
            }
        }
        if (expectItem) {
            throw syntax("syntax error at end of input");
        }
        return new SetValue(items);
    }

    /**
     * The one string PostgreSQL's SET makes of the items for a parameter: a list parameter's items joined by
     * {@code ", "}, a name or string in a list of names in double quotes where quote_identifier would put them.
     *
     * @param parameter the parameter's name as written, which the error repeats
     * @param isList    whether the parameter takes a list (GUC_LIST_INPUT: DateStyle, search_path)
     * @param ofNames   whether it is a list of names (GUC_LIST_QUOTE: search_path)
     * @param notices   receives NOTICE 42622 for each name cut to 63 bytes
     * @throws AdminException 22023 for more than one item to a parameter that is not a list
     */
    String flatten(String parameter, boolean isList, boolean ofNames, Consumer<PgError> notices) {
        List<String> texts = new ArrayList<>(items.size());
        for (Item each : items) {
            String text = each.kind() == ItemKind.NAME ? truncated(each.text(), notices) : each.text();
            texts.add(ofNames && each.kind() != ItemKind.NUMBER ? quoteIdentifier(text) : text);
        }
        if (texts.size() > 1 && !isList) {
            throw new AdminException(SqlState.INVALID_PARAMETER_VALUE, "SET " + Excerpt.of(parameter)
                    + " takes only one argument");
        }
        return String.join(", ", texts);
    }

    private static Item item(Token token) {
        switch (token.kind()) {
            case STRING:
                return new Item(ItemKind.STRING, token.text());
            case IDENTIFIER:
                if (token.text().isEmpty()) {
                    throw syntax("zero-length delimited identifier at or near \"\"\"\"");
                }
                return new Item(ItemKind.NAME, token.text());
            default:
                return word(token.text());
        }
    }

    /** An unquoted word: a number, a name folded to lower case, or PostgreSQL's syntax error. */
    private static Item word(String word) {
        if (INTEGER.matcher(word).matches()) {
            try {
                return new Item(ItemKind.NUMBER, Integer.toString(Integer.parseInt(word)));
            } catch (NumberFormatException e) {
                // beyond int4: the scanner reads it as a numeric constant, kept as written below
            }
        }
        if (NUMBER.matcher(word).matches()) {
            return new Item(ItemKind.NUMBER, word.startsWith("+") ? word.substring(1) : word);
        }
        if (NAME.matcher(word).matches()) {
            String name = foldAscii(word);
            // var_value takes TRUE, FALSE and ON among the reserved key words (opt_boolean_or_string), none else.
            if (SqlKeywords.isReserved(name) && !BOOLEAN_WORDS.contains(name)) {
                throw syntax("syntax error at or near \"" + Excerpt.of(word) + "\"");
            }
            return new Item(ItemKind.NAME, name);
        }
        throw syntax(misread(word));
    }

    /** PostgreSQL's message for a word its scanner and grammar split where the console did not. */
    private static String misread(String word) {
        char first = word.charAt(0);
        if (Character.isDigit(first) || first == '.' && word.length() > 1 && Character.isDigit(word.charAt(1))) {
            return "trailing junk after numeric literal at or near \"" + Excerpt.of(word) + "\"";
        }
        int at = 0;
        Matcher name = NAME.matcher(word);
        if (name.lookingAt()) {
            at = name.end();
        }
        int end = at + 1;
        if (OPERATOR_CHARS.indexOf(word.charAt(at)) >= 0) {
            while (end < word.length() && OPERATOR_CHARS.indexOf(word.charAt(end)) >= 0) {
                end++;
            }
        }
        return "syntax error at or near \"" + Excerpt.of(word.substring(at, end)) + "\"";
    }

    /** downcase_identifier in a multi-byte encoding: A to Z only. */
    private static String foldAscii(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return out.toString();
    }

    /** truncate_identifier: cut to 63 bytes of UTF-8 at a character's end, with its NOTICE. */
    private static String truncated(String name, Consumer<PgError> notices) {
        int bytes = 0;
        int end = 0;
        while (end < name.length()) {
            int c = name.codePointAt(end);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
            if (bytes > NAME_BYTES) {
                String kept = name.substring(0, end);
                notices.accept(new PgError(PgError.NOTICE, NAME_TOO_LONG, "identifier \"" + name
                        + "\" will be truncated to \"" + kept + "\"", null, null));
                return kept;
            }
            end += Character.charCount(c);
        }
        return name;
    }

    /** quote_identifier: in double quotes, doubled inside, unless a plain lower-case name and no key word. */
    private static String quoteIdentifier(String name) {
        return BARE_NAME.matcher(name).matches() && !SqlKeywords.needsQuotes(name) ? name
                : '"' + name.replace("\"", "\"\"") + '"';
    }

    private static AdminException syntax(String message) {
        return new AdminException(SqlState.SYNTAX_ERROR, message);
    }
}
