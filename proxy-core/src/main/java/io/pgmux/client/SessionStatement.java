package io.pgmux.client;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a client's SQL does to session state that transaction pooling must care about: a SET or RESET that has
 * to follow the client to its next server, or state that cannot follow it at all (session advisory locks,
 * LISTEN, temporary tables, cursors WITH HOLD, SQL-level PREPARE), for which the client is pinned to its server.
 * Texts are matched one statement at a time; anything not recognised is left alone.
 */
record SessionStatement(Kind kind, String name, String value) {
    enum Kind { NONE, SET, RESET, RESET_ALL, PIN }

    static final SessionStatement NONE = new SessionStatement(Kind.NONE, null, null);
    /** Longer texts are queries, not session commands; pin detection still scans them. */
    private static final int MAX_SETTING_LENGTH = 1024;
    private static final Pattern SET = Pattern.compile(
            "(?is)\\s*set\\s+(?:session\\s+)?([a-z_][a-z0-9_$]*(?:\\.[a-z_][a-z0-9_$]*)?)\\s*(?:to|=)\\s*(.+?)\\s*;?\\s*");
    private static final Pattern SET_ROLE = Pattern.compile("(?is)\\s*set\\s+(?:session\\s+)?(role|session\\s+authorization)\\s+(.+?)\\s*;?\\s*");
    private static final Pattern RESET = Pattern.compile("(?is)\\s*reset\\s+([a-z_][a-z0-9_$.]*|role|session\\s+authorization)\\s*;?\\s*");
    private static final Pattern PIN = Pattern.compile(
            "(?is).*?(\\bpg_(?:try_)?advisory_lock(?:_shared)?\\s*\\(|^\\s*listen\\s|\\bcreate\\s+(?:(?:global|local)\\s+)?temp(?:orary)?\\s"
                    + "|\\bwith\\s+hold\\b|^\\s*prepare\\s).*");

    /**
     * Classifies the SQL text in {@code buf} at {@code [start, end)} (a Query's or a Parse's), decoding it only
     * when a cheap byte scan finds a possible session command: ordinary queries allocate nothing here.
     */
    static SessionStatement of(io.netty.buffer.ByteBuf buf, int start, int end) {
        if (!SqlScan.firstWordIs(buf, start, end, "set") && !SqlScan.firstWordIs(buf, start, end, "reset")
                && !PIN_HINTS.foundIn(buf, start, end)) {
            return NONE;
        }
        return of(buf.toString(start, end - start, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static final Keywords PIN_HINTS = new Keywords("advisory_lock", "listen", "temp", "hold", "prepare");

    static SessionStatement of(String sql) {
        if (sql.length() <= MAX_SETTING_LENGTH) {
            SessionStatement setting = setting(sql);
            if (setting != null) {
                return setting;
            }
        }
        if (mayPin(sql)) {
            Matcher m = PIN.matcher(sql);
            if (m.matches()) {
                return new SessionStatement(Kind.PIN, reason(m.group(1)), null);
            }
        }
        return NONE;
    }

    private static SessionStatement setting(String sql) {
        if (!startsWithIgnoreCase(sql, 's') && !startsWithIgnoreCase(sql, 'r')) {
            return null;
        }
        Matcher m = SET_ROLE.matcher(sql);
        if (m.matches()) {
            return new SessionStatement(Kind.SET, normalizeName(m.group(1)), m.group(2));
        }
        m = SET.matcher(sql);
        if (m.matches()) {
            String name = m.group(1).toLowerCase(Locale.ROOT);
            if (name.equals("local") || name.equals("time") || name.equals("transaction")) {
                return NONE;
            }
            return new SessionStatement(Kind.SET, name, m.group(2));
        }
        m = RESET.matcher(sql);
        if (m.matches()) {
            String name = normalizeName(m.group(1));
            return name.equals("all") ? new SessionStatement(Kind.RESET_ALL, null, null)
                    : new SessionStatement(Kind.RESET, name, null);
        }
        return null;
    }

    private static String normalizeName(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("\\s+", "_");
    }

    /** Cheap filter so ordinary queries skip the pin regex: every pinning construct has one of these letters pairs. */
    private static boolean mayPin(String sql) {
        String lower = sql.toLowerCase(Locale.ROOT);
        return lower.contains("advisory_lock") || lower.contains("listen") || lower.contains("temp")
                || lower.contains("hold") || lower.contains("prepare");
    }

    private static String reason(String match) {
        String lower = match.toLowerCase(Locale.ROOT).trim();
        if (lower.startsWith("pg_")) {
            return "session advisory lock";
        }
        if (lower.startsWith("listen")) {
            return "LISTEN";
        }
        if (lower.startsWith("create")) {
            return "temporary table";
        }
        if (lower.startsWith("with")) {
            return "cursor WITH HOLD";
        }
        return "SQL PREPARE";
    }

    private static boolean startsWithIgnoreCase(String sql, char letter) {
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (!Character.isWhitespace(c)) {
                return Character.toLowerCase(c) == letter;
            }
        }
        return false;
    }
}
