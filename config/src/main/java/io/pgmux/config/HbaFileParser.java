package io.pgmux.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads access rules in PostgreSQL's pg_hba.conf format (PostgreSQL documentation, "The pg_hba.conf File"), so an
 * existing file can be reused: one rule per line, {@code TYPE DATABASE USER ADDRESS [MASK] METHOD}, fields
 * separated by blanks, {@code #} comments, names in double quotes (a doubled {@code ""} inside is one quote
 * character, and a quoted keyword is a plain name), comma-separated lists, and a backslash at the end of a line
 * to continue it. What pgmux cannot honour (local rules, host names, {@code +group}, {@code @file}, methods such
 * as peer or ldap, options after the method) is an error naming the line, never silently skipped.
 */
final class HbaFileParser {
    /** A problem on one line of the file. */
    record LineError(int line, String message) {
    }

    /** The rules read, and the problems; the rules are usable only when there are none. */
    record Result(List<HbaRule> rules, List<LineError> errors) {
    }

    private HbaFileParser() {
    }

    static Result parse(String text) {
        List<HbaRule> rules = new ArrayList<>();
        List<LineError> errors = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            StringBuilder joined = new StringBuilder(lines[i]);
            // A trailing backslash continues the rule on the next line (PostgreSQL 16).
            while (endsWithContinuation(joined) && i + 1 < lines.length) {
                joined.setLength(joined.length() - 1);
                joined.append(' ').append(lines[++i]);
            }
            try {
                List<List<HbaNames.Token>> fields = new Tokenizer(joined.toString()).fields();
                if (!fields.isEmpty()) {
                    rules.add(rule(fields, lineNumber));
                }
            } catch (IllegalArgumentException e) {
                errors.add(new LineError(lineNumber, e.getMessage()));
            }
        }
        if (rules.isEmpty() && errors.isEmpty()) {
            errors.add(new LineError(0, "the file contains no rules, so every connection would be refused"));
        }
        return new Result(rules, errors);
    }

    private static boolean endsWithContinuation(CharSequence line) {
        return line.length() > 0 && line.charAt(line.length() - 1) == '\\';
    }

    private static HbaRule rule(List<List<HbaNames.Token>> fields, int line) {
        HbaConnectionType type = HbaSyntax.type(single(fields.get(0), "connection type"));
        if (fields.size() < 5) {
            throw new IllegalArgumentException("a rule needs TYPE DATABASE USER ADDRESS METHOD; this one ends after "
                    + fields.size() + " field" + (fields.size() == 1 ? "" : "s"));
        }
        HbaNames databases = HbaNames.parse(fields.get(1), HbaNames.Column.DATABASE);
        HbaNames users = HbaNames.parse(fields.get(2), HbaNames.Column.USER);
        String addressText = single(fields.get(3), "address");
        HbaAddress address;
        int methodField = 4;
        if (addressText.equalsIgnoreCase("all") && !fields.get(3).get(0).quoted()) {
            address = HbaAddress.all();
        } else if (addressText.equalsIgnoreCase("samehost") || addressText.equalsIgnoreCase("samenet")) {
            throw new IllegalArgumentException(addressText + " is not supported; write the network in CIDR form");
        } else if (addressText.contains("/")) {
            address = HbaAddress.parseCidr(addressText, false);
        } else if (HbaAddress.parseLiteral(addressText).isPresent()) {
            if (fields.size() < 6) {
                throw new IllegalArgumentException("the address " + addressText + " needs a CIDR suffix or a"
                        + " netmask column before the method");
            }
            address = HbaAddress.withMask(addressText, single(fields.get(4), "netmask"));
            methodField = 5;
        } else {
            throw new IllegalArgumentException("\"" + addressText + "\" is not an IP address: host names are not"
                    + " supported (pgmux does no DNS on logins); write a network like 10.0.0.0/8, or all");
        }
        AuthType method = HbaSyntax.method(single(fields.get(methodField), "method"));
        if (fields.size() > methodField + 1) {
            String option = fields.get(methodField + 1).get(0).text();
            throw new IllegalArgumentException("options after the method are not supported by pgmux (found \""
                    + option + "\")");
        }
        HbaSyntax.checkMethodFitsType(type, method);
        return new HbaRule(line, type, databases, users, address, method);
    }

    private static String single(List<HbaNames.Token> field, String what) {
        if (field.size() != 1) {
            throw new IllegalArgumentException("the " + what + " must be a single value, not a list");
        }
        return field.get(0).text();
    }

    /** Splits one line into fields of comma-separated tokens, as PostgreSQL's tokenizer does. */
    private static final class Tokenizer {
        private final String line;
        private int pos;

        Tokenizer(String line) {
            this.line = line;
        }

        List<List<HbaNames.Token>> fields() {
            List<List<HbaNames.Token>> fields = new ArrayList<>();
            while (skipBlanks()) {
                List<HbaNames.Token> field = new ArrayList<>();
                while (true) {
                    field.add(token());
                    if (pos >= line.length() || line.charAt(pos) != ',') {
                        break;
                    }
                    pos++; // the comma; blanks may follow it
                    if (!skipBlanks()) {
                        throw new IllegalArgumentException("a list ends with a comma");
                    }
                }
                fields.add(field);
            }
            return fields;
        }

        /** Skips blanks; false at the end of the line or at a comment. */
        private boolean skipBlanks() {
            while (pos < line.length() && isBlank(line.charAt(pos))) {
                pos++;
            }
            return pos < line.length() && line.charAt(pos) != '#';
        }

        /** One token, up to a blank, comma or comment outside quotes; quotes are removed. */
        private HbaNames.Token token() {
            StringBuilder text = new StringBuilder();
            boolean inQuote = false;
            boolean quoted = false;
            while (pos < line.length()) {
                char c = line.charAt(pos);
                if (!inQuote && (isBlank(c) || c == ',' || c == '#')) {
                    break;
                }
                pos++;
                if (c == '"') {
                    if (inQuote && pos < line.length() && line.charAt(pos) == '"') {
                        text.append('"'); // "" inside quotes is a literal quote
                        pos++;
                    } else {
                        inQuote = !inQuote;
                        quoted = true;
                    }
                } else {
                    text.append(c);
                }
            }
            if (inQuote) {
                throw new IllegalArgumentException("unterminated double quote");
            }
            return new HbaNames.Token(text.toString(), quoted);
        }

        private static boolean isBlank(char c) {
            return c == ' ' || c == '\t' || c == '\r';
        }
    }
}
