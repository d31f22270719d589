package io.pgmux.config;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The database or user column of an access rule: names, compared exactly (case matters, as in PostgreSQL), and
 * the keywords {@code all} and (databases only) {@code sameuser}. A keyword written in double quotes in
 * pg_hba.conf is a plain name.
 *
 * <p>Refused when the file is loaded, each with the reason: {@code +group} and {@code samerole} (pgmux knows no
 * role membership), {@code @file} includes, {@code /regex} (PostgreSQL 16), and {@code replication}
 * (pgmux carries no replication connections).
 */
public record HbaNames(Set<String> names, Set<Keyword> keywords) {
    /** The keywords pgmux supports. */
    public enum Keyword {
        ALL,
        /** The database named like the user. */
        SAMEUSER
    }

    /** Which column is being read: they accept different keywords. */
    public enum Column { DATABASE, USER }

    /** One word of the column as written; {@code quoted} when any part of it was in double quotes. */
    public record Token(String text, boolean quoted) {
        public Token {
            Objects.requireNonNull(text, "text");
        }
    }

    public HbaNames {
        names = Set.copyOf(names);
        keywords = keywords.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(keywords));
        if (names.isEmpty() && keywords.isEmpty()) {
            throw new IllegalArgumentException("an access rule column needs at least one name");
        }
    }

    /**
     * Reads the tokens of one column.
     *
     * @throws IllegalArgumentException naming the token and why it is not accepted
     */
    public static HbaNames parse(List<Token> tokens, Column column) {
        Set<String> names = new LinkedHashSet<>();
        Set<Keyword> keywords = EnumSet.noneOf(Keyword.class);
        for (Token token : tokens) {
            String text = token.text();
            if (text.isEmpty()) {
                throw new IllegalArgumentException("empty " + columnName(column) + " name");
            }
            if (token.quoted()) {
                names.add(text);
                continue;
            }
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.equals("all")) {
                keywords.add(Keyword.ALL);
            } else if (column == Column.DATABASE && lower.equals("sameuser")) {
                keywords.add(Keyword.SAMEUSER);
            } else if (column == Column.DATABASE && (lower.equals("samerole") || lower.equals("samegroup"))) {
                throw new IllegalArgumentException(text + " is not supported: pgmux knows no role membership;"
                        + " list the databases");
            } else if (column == Column.DATABASE && lower.equals("replication")) {
                throw new IllegalArgumentException("replication connections are not supported by pgmux");
            } else if (column == Column.USER && text.startsWith("+")) {
                throw new IllegalArgumentException("\"" + text + "\": +group is not supported: pgmux knows no role"
                        + " membership; list the users");
            } else if (text.startsWith("@")) {
                throw new IllegalArgumentException("\"" + text + "\": @file includes are not supported; list the "
                        + columnName(column) + " names");
            } else if (text.startsWith("/")) {
                throw new IllegalArgumentException("\"" + text + "\": regular expressions are not supported; list"
                        + " the " + columnName(column) + " names");
            } else {
                names.add(text);
            }
        }
        return new HbaNames(names, keywords);
    }

    /**
     * Whether the column matches. {@code user} is the client's user name, needed for {@code sameuser}; for the
     * user column pass the user name as both arguments.
     */
    public boolean matches(String name, String user) {
        return keywords.contains(Keyword.ALL)
                || (keywords.contains(Keyword.SAMEUSER) && name.equals(user))
                || names.contains(name);
    }

    private static String columnName(Column column) {
        return column == Column.DATABASE ? "database" : "user";
    }
}
