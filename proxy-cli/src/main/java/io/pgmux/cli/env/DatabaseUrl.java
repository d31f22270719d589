package io.pgmux.cli.env;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A libpq connection URI naming one database server (PostgreSQL docs, "Connection URIs"):
 * {@code postgres[ql]://[user[:password]@]host[:port][/dbname][?sslmode=...&sslrootcert=...]}, each part percent-encoded where it
 * holds reserved characters. It is split where libpq splits it, so a URI that works with psql means the same
 * thing here.
 *
 * <p>Messages about a URI never quote any part of it: a password with an unencoded {@code /} or {@code @} moves
 * libpq's (and so our) split points, and the password would then show up as a host, a port or a database name.
 *
 * @param host     the server's host name or IP address (an IPv6 address without brackets)
 * @param port     5432 unless the URI names one
 * @param dbname   the database; empty when the URI names none (libpq then uses the user name)
 * @param user     the login role; empty when the URI names none
 * @param password empty when the URI has none, or an empty one
 * @param sslMode  {@link SslMode#PREFER}, libpq's default, unless the URI says otherwise
 * @param sslRootCert the file of the CAs the server's certificate must lead to (libpq's {@code sslrootcert});
 *                 empty when the URI names none
 */
public record DatabaseUrl(String host, int port, Optional<String> dbname, Optional<String> user,
                          Optional<String> password, SslMode sslMode, Optional<String> sslRootCert) {
    public static final int DEFAULT_PORT = 5432;

    public DatabaseUrl {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dbname, "dbname");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(sslMode, "sslMode");
        Objects.requireNonNull(sslRootCert, "sslRootCert");
    }

    /** A URI without sslrootcert. */
    public DatabaseUrl(String host, int port, Optional<String> dbname, Optional<String> user,
                       Optional<String> password, SslMode sslMode) {
        this(host, port, dbname, user, password, sslMode, Optional.empty());
    }

    /**
     * Parses {@code uri}.
     *
     * @throws IllegalArgumentException saying what is wrong, without quoting the URI
     */
    public static DatabaseUrl parse(String uri) {
        return new Parser(uri).parse();
    }

    /** The database name libpq would connect to: the URI's, else the user name. */
    public Optional<String> effectiveDbname() {
        return dbname.or(() -> user);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "postgres://" + user.map(u -> u + (password.isPresent() ? ":***@" : "@")).orElse("")
                + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + "/" + dbname.orElse("")
                + "?sslmode=" + sslMode.libpqName() + sslRootCert.map(file -> "&sslrootcert=" + file).orElse("");
    }

    private static final class Parser {
        private final String uri;
        private int at;
        private SslMode sslMode = SslMode.PREFER;
        private Optional<String> sslRootCert = Optional.empty();

        Parser(String uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        DatabaseUrl parse() {
            if (uri.startsWith("postgresql://")) {
                at = "postgresql://".length();
            } else if (uri.startsWith("postgres://")) {
                at = "postgres://".length();
            } else {
                throw new IllegalArgumentException("must start with postgres:// or postgresql://");
            }
            // libpq looks for credentials up to the first "/" only, so a "/" in a password must be encoded.
            Optional<String> user = Optional.empty();
            Optional<String> password = Optional.empty();
            int credentialsEnd = indexOfAny("@/", at);
            if (credentialsEnd >= 0 && uri.charAt(credentialsEnd) == '@') {
                String credentials = uri.substring(at, credentialsEnd);
                int colon = credentials.indexOf(':');
                user = nonEmpty(decode(colon < 0 ? credentials : credentials.substring(0, colon), "the user name"));
                if (colon >= 0) {
                    password = nonEmpty(decode(credentials.substring(colon + 1), "the password"));
                }
                at = credentialsEnd + 1;
            }
            String host = host();
            int port = port();
            if (peek() == ',') {
                throw new IllegalArgumentException("names several hosts; pgmux connects a database to one server");
            }
            Optional<String> dbname = Optional.empty();
            if (peek() == '/') {
                at++;
                int end = end("?");
                String raw = uri.substring(at, end);
                if (raw.indexOf('@') >= 0) {
                    throw new IllegalArgumentException("has an \"@\" after the host; if the password holds a \"/\","
                            + " \"@\" or \":\", percent-encode them (%2F, %40, %3A)");
                }
                dbname = nonEmpty(decode(raw, "the database name"));
                at = end;
            }
            if (peek() == '?') {
                at++;
                parameters();
            }
            return new DatabaseUrl(host, port, dbname, user, password, sslMode, sslRootCert);
        }

        private String host() {
            String host;
            if (peek() == '[') {
                int close = uri.indexOf(']', at);
                if (close < 0) {
                    throw new IllegalArgumentException("has a \"[\" without its \"]\" around an IPv6 address");
                }
                host = decode(uri.substring(at + 1, close), "the host");
                at = close + 1;
                if (at < uri.length() && ":/?,".indexOf(uri.charAt(at)) < 0) {
                    throw new IllegalArgumentException("has something other than \":port\" or \"/\" after \"]\"");
                }
            } else {
                int end = end(":/?,");
                if (uri.substring(at, end).indexOf('@') >= 0) {
                    // libpq splits at the first "@" too, and would then look up a host name holding the rest.
                    throw new IllegalArgumentException("has a second \"@\"; if the password holds a \"/\", \"@\" or"
                            + " \":\", percent-encode them (%2F, %40, %3A)");
                }
                host = decode(uri.substring(at, end), "the host");
                at = end;
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("names no host; write postgres://user:password@host:5432/dbname"
                        + " (pgmux does not connect through Unix-domain sockets)");
            }
            if (host.startsWith("/")) {
                throw new IllegalArgumentException("names a Unix-domain socket directory as the host; pgmux connects"
                        + " over TCP only");
            }
            return host;
        }

        private int port() {
            if (peek() != ':') {
                return DEFAULT_PORT;
            }
            at++;
            int end = end("/?,");
            String text = uri.substring(at, end);
            at = end;
            if (text.isEmpty()) {
                return DEFAULT_PORT;
            }
            if (!text.matches("\\d{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
                throw new IllegalArgumentException("has a port that is not a number from 1 to 65535; if the"
                        + " password holds a \"/\", percent-encode it as %2F");
            }
            return Integer.parseInt(text);
        }

        /**
         * The query string; only sslmode (and JDBC's ssl=true, which libpq reads as sslmode=require) and
         * sslrootcert are used.
         */
        private void parameters() {
            List<String> unsupported = new ArrayList<>();
            String[] pairs = uri.substring(at).split("&", -1);
            for (int i = 0; i < pairs.length; i++) {
                String pair = pairs[i];
                int equals = pair.indexOf('=');
                if (equals < 0) {
                    throw new IllegalArgumentException("query parameter " + (i + 1) + " has no \"=\"");
                }
                String key = decode(pair.substring(0, equals), "a query parameter's name");
                String value = decode(pair.substring(equals + 1), "a query parameter's value");
                if (key.equals("sslmode")) {
                    sslMode = SslMode.of(value).orElseThrow(() -> new IllegalArgumentException(
                            "has an sslmode that is none of " + SslMode.names()));
                } else if (key.equals("ssl") && value.equals("true")) {
                    sslMode = SslMode.REQUIRE;
                } else if (key.equals("sslrootcert") && !value.isEmpty()) {
                    sslRootCert = Optional.of(value);
                } else {
                    unsupported.add(String.valueOf(i + 1));
                }
            }
            if (!unsupported.isEmpty()) {
                throw new IllegalArgumentException("has query parameters pgmux does not use (number "
                        + String.join(", ", unsupported) + "); only sslmode and sslrootcert are read from the URL, other"
                        + " settings are PGMUX_* variables");
            }
        }

        private char peek() {
            return at < uri.length() ? uri.charAt(at) : 0;
        }

        /** The index of the first of {@code stops} from {@code at}, or the end of the URI. */
        private int end(String stops) {
            int end = indexOfAny(stops, at);
            return end < 0 ? uri.length() : end;
        }

        private int indexOfAny(String chars, int from) {
            for (int i = from; i < uri.length(); i++) {
                if (chars.indexOf(uri.charAt(i)) >= 0) {
                    return i;
                }
            }
            return -1;
        }

        private static String decode(String text, String what) {
            try {
                return PercentEncoding.decode(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("has a bad percent-encoding in " + what + ": " + e.getMessage());
            }
        }

        private static Optional<String> nonEmpty(String text) {
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        }
    }
}
