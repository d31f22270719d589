package io.pgmux.server;

import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The plain reason a connection to a database failed, as libpq words it ({@code Connection refused}, {@code No
 * route to host}, {@code could not translate host name "db" to address: Name or service not known}), for client
 * messages and log lines. Netty's transports wrap the operating system's reason: the native ones put the system
 * call and error number in front ({@code finishConnect(..) failed with error(-111): Connection refused}), and a
 * failed connect gets the address appended ({@code Connection refused: /127.0.0.1:5432}), which every pgmux
 * message names already.
 */
public final class SocketErrors {
    /** Netty's native transports: {@code finishConnect(..) failed: } or {@code ... failed with error(-111): }. */
    private static final Pattern SYSCALL = Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");
    /** An address Netty appends: {@code : /127.0.0.1:5432} or {@code : db.internal/10.0.0.5:5432}. */
    private static final Pattern ADDRESS = Pattern.compile(": [^\\s/]*/\\S+$");

    private SocketErrors() {
    }

    /** The message of a failed connect to the database at {@code address} (host:port), with its plain reason. */
    public static String couldNotConnect(String address, Throwable error) {
        return "could not connect to the database at " + address + ": " + reason(error);
    }

    /**
     * @param error a failed connect's or socket operation's exception; null when none was given
     * @return its reason in plain words, once; {@code unknown reason} for null, the exception's simple class name
     *         when it has no message
     */
    public static String reason(Throwable error) {
        if (error == null) {
            return "unknown reason";
        }
        Throwable inner = error;
        // Netty's annotated exceptions repeat their cause's message with the address behind it.
        while (inner.getCause() != null && inner.getMessage() != null && inner.getCause().getMessage() != null
                && inner.getMessage().startsWith(inner.getCause().getMessage())) {
            inner = inner.getCause();
        }
        if (inner instanceof UnknownHostException) {
            return unknownHost(inner.getMessage());
        }
        String message = inner.getMessage();
        if (message == null || message.isBlank()) {
            return inner.getClass().getSimpleName();
        }
        message = SYSCALL.matcher(message).replaceFirst("");
        return ADDRESS.matcher(message).replaceFirst("");
    }

    /** The JDK says {@code db.internal: Name or service not known} or only {@code db.internal}. */
    private static String unknownHost(String message) {
        if (message == null || message.isBlank()) {
            return "could not translate host name to address";
        }
        int colon = message.indexOf(": ");
        return colon < 0 ? "could not translate host name \"" + message + "\" to address"
                : "could not translate host name \"" + message.substring(0, colon) + "\" to address: "
                        + message.substring(colon + 2);
    }
}
