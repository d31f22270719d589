package io.pgmux.admin;

import io.pgmux.admin.AdminCommand.OnDatabase;
import io.pgmux.admin.AdminCommand.Verb;
import io.pgmux.admin.CommandTokens.Kind;
import io.pgmux.admin.CommandTokens.Token;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.admin.spi.ShutdownMode;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Parses one console statement (no semicolon): PgBouncer's console grammar, {@code COMMAND [argument]} and
 * {@code SET key = value}, keywords in any case, plus pgmux's {@code KILL TENANT t}, {@code SHOW TENANTS} and
 * {@code SHOW BUDGETS}, and the SET forms drivers send on connect. Anything else is a clean error: 42601 for
 * what the console does not know or a wrong number of arguments, 22P02 for an id that is not a number, 0A000 for
 * PgBouncer commands about things pgmux does not have.
 */
final class AdminCommandParser {
    /** SHOW's and RESET's key words for a parameter (gram.y var_name's special cases), to its name. */
    private static final Map<List<String>, String> SPELLED_OUT = Map.of(List.of("time", "zone"), "timezone",
            List.of("transaction", "isolation", "level"), "transaction_isolation",
            List.of("session", "authorization"), "session_authorization");

    private AdminCommandParser() {
    }

    /** @throws AdminException with the error to answer */
    static AdminCommand parse(String statement) {
        List<Token> tokens = CommandTokens.of(statement);
        Token first = tokens.get(0);
        if (first.kind() != Kind.WORD) {
            throw unknown(statement);
        }
        List<Token> args = tokens.subList(1, tokens.size());
        String word = first.lowerCase();
        switch (word) {
            case "show":
                return show(args);
            case "set":
                return set(args, statement);
            case "reset":
                return reset(args, statement);
            case "pause":
            case "resume":
            case "reconnect":
            case "wait_close":
            case "disable":
            case "enable":
                return onDatabase(Verb.valueOf(word.toUpperCase(Locale.ROOT)), args);
            case "kill":
                if (args.size() == 2 && args.get(0).is("tenant")) {
                    return new AdminCommand.KillTenant(name(args.get(1), "KILL TENANT"));
                }
                return onDatabase(Verb.KILL, args);
            case "kill_client":
                return new AdminCommand.KillClient(clientId(exactlyOne(args, "KILL_CLIENT", "a client id")));
            case "suspend":
                none(args, "SUSPEND");
                return new AdminCommand.Suspend();
            case "reload":
                none(args, "RELOAD");
                return new AdminCommand.Reload();
            case "shutdown":
                return shutdown(args);
            default:
                throw unknown(statement);
        }
    }

    private static AdminCommand show(List<Token> args) {
        Optional<String> spelledOut = SPELLED_OUT.entrySet().stream()
                .filter(e -> areWords(args, e.getKey())).map(Map.Entry::getValue).findFirst();
        if (spelledOut.isPresent()) {
            return new AdminCommand.ShowParameter(spelledOut.get());
        }
        Token what = exactlyOne(args, "SHOW", "what to show");
        String name = what.lowerCase();
        Optional<ShowTarget> target = what.kind() == Kind.STRING ? Optional.empty() : ShowTarget.find(name);
        if (target.isPresent()) {
            return new AdminCommand.Show(target.get());
        }
        if (ConsoleParameters.isSettable(name) || name.equals("server_version") || name.equals("server_encoding")
                || name.equals("integer_datetimes") || name.equals("is_superuser")
                || name.equals("session_authorization") || name.equals("in_hot_standby")) {
            return new AdminCommand.ShowParameter(name);
        }
        if (ShowTarget.PGBOUNCER_ONLY.contains(name)) {
            throw new AdminException(new PgError(PgError.ERROR, SqlState.FEATURE_NOT_SUPPORTED, "SHOW "
                    + name.toUpperCase(Locale.ROOT) + " is a PgBouncer command about something pgmux does not have",
                    null, "pgmux's console has SHOW " + ShowTarget.names() + "."));
        }
        throw new AdminException(new PgError(PgError.ERROR, SqlState.SYNTAX_ERROR, "unknown SHOW command: "
                + Excerpt.of(what.shown()), null, "SHOW takes one of " + ShowTarget.names()
                + ", or a session parameter."));
    }

    private static AdminCommand set(List<Token> args, String statement) {
        if (!args.isEmpty() && args.get(0).is("local")) {
            return new AdminCommand.SetLocal(setIn(args.subList(1, args.size()), statement));
        }
        if (args.size() >= 4 && args.get(0).is("session") && args.get(1).is("characteristics")
                && args.get(2).is("as") && args.get(3).is("transaction")) {
            return new AdminCommand.SetSessionCharacteristics(TransactionModes.parse(args.subList(4, args.size())));
        }
        if (!args.isEmpty() && args.get(0).is("session")) {
            return setIn(args.subList(1, args.size()), statement);
        }
        return setIn(args, statement);
    }

    /** A SET after its SESSION or LOCAL, if any. */
    private static AdminCommand setIn(List<Token> args, String statement) {
        int i = 0;
        if (i < args.size() && args.get(i).is("transaction")) {
            return new AdminCommand.SetTransaction(TransactionModes.parse(args.subList(i + 1, args.size())));
        }
        if (i + 1 < args.size() && args.get(i).is("time") && args.get(i + 1).is("zone")) {
            return timeZone(args.subList(i + 2, args.size()), statement);
        }
        if (i < args.size() && args.get(i).is("names")) {
            List<Token> encoding = args.subList(i + 1, args.size());
            if (encoding.size() == 1 && encoding.get(0).is("default")) {
                return new AdminCommand.ResetParameter("client_encoding", "SET");
            }
            return new AdminCommand.SetParameter("client_encoding", value(encoding, statement));
        }
        if (i >= args.size() || args.get(i).kind() == Kind.STRING || !args.get(i).isValue()) {
            throw setSyntax(statement);
        }
        String key = args.get(i).lowerCase();
        i++;
        if (i >= args.size() || !(args.get(i).kind() == Kind.EQUALS || args.get(i).is("to"))) {
            throw setSyntax(statement);
        }
        List<Token> value = args.subList(i + 1, args.size());
        if (ConsoleParameters.isSettable(key) && value.size() == 1 && value.get(0).is("default")) {
            return new AdminCommand.ResetParameter(key, "SET");
        }
        if (ConsoleParameters.isSettable(key)) {
            return new AdminCommand.SetParameter(key, value(value, statement));
        }
        if (value.size() != 1 || !value.get(0).isValue()) {
            String shown = Excerpt.of(key);
            throw new AdminException(new PgError(PgError.ERROR, SqlState.SYNTAX_ERROR, "SET " + shown
                    + " takes one value", null, "Write SET " + shown + " = value, quoting a value with spaces: "
                    + "SET " + shown + " = 'a value'."));
        }
        return new AdminCommand.SetSetting(key, value.get(0).text());
    }

    /** Whether {@code tokens} are exactly these key words. */
    private static boolean areWords(List<Token> tokens, List<String> keywords) {
        if (tokens.size() != keywords.size()) {
            return false;
        }
        for (int i = 0; i < keywords.size(); i++) {
            if (!tokens.get(i).is(keywords.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** RESET name and RESET ALL, for session parameters. */
    private static AdminCommand reset(List<Token> args, String statement) {
        if (areWords(args, List.of("time", "zone"))) {
            return new AdminCommand.ResetParameter("timezone", "RESET");
        }
        if (args.size() != 1 || !(args.get(0).kind() == Kind.WORD || args.get(0).kind() == Kind.IDENTIFIER)) {
            throw new AdminException(new PgError(PgError.ERROR, SqlState.SYNTAX_ERROR, "invalid RESET: "
                    + Excerpt.of(statement), null, "Write RESET name or RESET ALL."));
        }
        String name = args.get(0).lowerCase();
        if (!name.equals("all") && !ConsoleParameters.isSettable(name)) {
            throw new AdminException(SqlState.UNDEFINED_OBJECT, "the admin console has no session parameter \""
                    + Excerpt.of(name) + "\" to RESET");
        }
        return new AdminCommand.ResetParameter(name, "RESET");
    }

    /**
     * A session parameter's value: one or more items separated by commas (search_path, DateStyle), read as
     * PostgreSQL reads them ({@link SetValue}).
     */
    private static SetValue value(List<Token> tokens, String statement) {
        if (tokens.isEmpty()) {
            throw setSyntax(statement);
        }
        try {
            return SetValue.parse(tokens);
        } catch (AdminException e) {
            throw new AdminException(e.error().withHint("Write SET name = value, quoting a value that is not a name"
                    + " or a number: SET name = 'a value'."));
        }
    }

    /**
     * SET TIME ZONE's one value (gram.y zone_value): LOCAL and DEFAULT are the session's initial time zone; INTERVAL
     * and a list are not taken.
     */
    private static AdminCommand timeZone(List<Token> tokens, String statement) {
        if (tokens.size() == 1 && (tokens.get(0).is("local") || tokens.get(0).is("default"))) {
            return new AdminCommand.ResetParameter("timezone", "SET");
        }
        if (tokens.size() != 1) {
            throw setSyntax(statement);
        }
        return new AdminCommand.SetParameter("timezone", value(tokens, statement));
    }

    private static AdminCommand onDatabase(Verb verb, List<Token> args) {
        if (args.isEmpty()) {
            if (verb.needsDatabase()) {
                throw new AdminException(new PgError(PgError.ERROR, SqlState.SYNTAX_ERROR, verb.name()
                        + " needs a database name", null, "Write " + verb.name() + " db; SHOW DATABASES lists them."));
            }
            return new OnDatabase(verb, Optional.empty());
        }
        if (args.size() > 1) {
            throw new AdminException(new PgError(PgError.ERROR, SqlState.SYNTAX_ERROR, verb.name()
                    + " takes " + (verb.needsDatabase() ? "one database name" : "at most one database name")
                    + ", got " + args.size() + " words", null, "Quote a name with spaces: " + verb.name()
                    + " \"my db\"."));
        }
        return new OnDatabase(verb, Optional.of(name(args.get(0), verb.name())));
    }

    private static AdminCommand shutdown(List<Token> args) {
        if (args.isEmpty()) {
            return new AdminCommand.Shutdown(ShutdownMode.IMMEDIATE);
        }
        if (args.size() == 1 && args.get(0).is("wait_for_clients")) {
            return new AdminCommand.Shutdown(ShutdownMode.WAIT_FOR_CLIENTS);
        }
        if (args.size() == 1 && args.get(0).is("wait_for_servers")) {
            return new AdminCommand.Shutdown(ShutdownMode.WAIT_FOR_SERVERS);
        }
        throw new AdminException(new PgError(PgError.ERROR, SqlState.SYNTAX_ERROR, "SHUTDOWN takes nothing, "
                + "WAIT_FOR_SERVERS or WAIT_FOR_CLIENTS", null, null));
    }

    private static long clientId(Token token) {
        try {
            long id = Long.parseLong(token.text());
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below, with the value the user wrote
        }
        throw new AdminException(new PgError(PgError.ERROR, SqlState.INVALID_TEXT_REPRESENTATION,
                "invalid client id " + Excerpt.of(token.shown()) + ": expected the id of a connected client, a"
                        + " number of 0 or more from the id column of SHOW CLIENTS", null,
                "Run SHOW CLIENTS and use the number in its id column: KILL_CLIENT 42."));
    }

    private static Token exactlyOne(List<Token> args, String command, String what) {
        if (args.size() != 1) {
            throw new AdminException(new PgError(PgError.ERROR, SqlState.SYNTAX_ERROR, command + " takes "
                    + what + ", got " + (args.isEmpty() ? "nothing" : args.size() + " words"), null,
                    args.isEmpty() && command.equals("SHOW") ? "SHOW takes one of " + ShowTarget.names() + "." : null));
        }
        return args.get(0);
    }

    private static void none(List<Token> args, String command) {
        if (!args.isEmpty()) {
            throw new AdminException(SqlState.SYNTAX_ERROR, command + " takes no arguments");
        }
    }

    /** A database or tenant name: a word or a quoted identifier, as written. */
    private static String name(Token token, String command) {
        if (token.kind() != Kind.WORD && token.kind() != Kind.IDENTIFIER) {
            throw new AdminException(SqlState.SYNTAX_ERROR, command + " takes a name, got "
                    + Excerpt.of(token.shown()));
        }
        return token.text();
    }

    private static AdminException setSyntax(String statement) {
        return new AdminException(new PgError(PgError.ERROR, SqlState.SYNTAX_ERROR, "invalid SET: "
                + Excerpt.of(statement), null, "Write SET key = value."));
    }

    private static AdminException unknown(String statement) {
        return new AdminException(new PgError(PgError.ERROR, SqlState.SYNTAX_ERROR, "invalid command \""
                + Excerpt.of(statement) + "\" for the pgmux admin console", null, ConsoleHelp.HINT));
    }
}
