package io.pgmux.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately dumb PostgreSQL v3 protocol client on a blocking socket: it writes exactly the
 * messages a test asks for, in that order, and reads back one message at a time. Nothing is
 * buffered or reordered, so tests can pipeline, interleave and misbehave on purpose.
 *
 * <p>Every read times out after 10 s, so a test waiting for a reply that never comes fails
 * instead of hanging. Not thread-safe.
 */
public final class RawPgClient implements AutoCloseable {

    /** Protocol 3.0. */
    public static final int PROTOCOL_VERSION = 196608;
    private static final int CANCEL_REQUEST_CODE = 80877102;
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    /** Larger than any message a test provokes; a bigger length means we lost message framing. */
    private static final int MAX_MESSAGE_LENGTH = 64 << 20;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** Thrown when the server answers with an ErrorResponse where the client expected progress (e.g. a rejected login). */
    public static final class ServerError extends AssertionError {
        private static final long serialVersionUID = 1L;
        private final transient BackendMessage error;

        ServerError(String context, BackendMessage error) {
            super(context + ": server error " + error);
            this.error = error;
        }

        public BackendMessage error() {
            return error;
        }

        public String sqlState() {
            return error.errorField('C');
        }
    }

    private RawPgClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /** Opens a TCP connection; sends nothing yet. */
    public static RawPgClient connect(String host, int port) {
        return connect(host, port, 0);
    }

    /**
     * Opens a TCP connection whose receive buffer is {@code receiveBufferBytes} (the kernel's default when 0), set
     * before connecting so the window offered matches: for a client that stops reading and must fill up soon.
     */
    public static RawPgClient connect(String host, int port, int receiveBufferBytes) {
        Socket socket = new Socket();
        try {
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            return new RawPgClient(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
        }
    }

    // ---------------------------------------------------------------- frontend messages

    /** StartupMessage for protocol 3.0 with these parameters (typically user, database). */
    public void sendStartup(Map<String, String> params) {
        Body body = new Body().int32(PROTOCOL_VERSION);
        params.forEach((k, v) -> body.cstring(k).cstring(v));
        body.int8(0);
        sendUntyped(body.bytes());
    }

    /** Writes bytes exactly as given: for malformed or hand-built traffic. */
    public void sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("send failed", e);
        }
    }

    /** Writes a typed message: type byte, int32 length (body length + 4), body. */
    public void send(char type, byte[] body) {
        ByteBuffer frame = ByteBuffer.allocate(5 + body.length);
        frame.put((byte) type).putInt(body.length + 4).put(body);
        sendRaw(frame.array());
    }

    public void query(String sql) {
        send('Q', new Body().cstring(sql).bytes());
    }

    public void parse(String name, String sql, int... paramOids) {
        Body body = new Body().cstring(name).cstring(sql).int16(paramOids.length);
        for (int oid : paramOids) {
            body.int32(oid);
        }
        send('P', body.bytes());
    }

    /** Bind with all parameters and results in text format; a null parameter is SQL NULL. */
    public void bind(String portal, String statement, String... textParams) {
        Body body = new Body().cstring(portal).cstring(statement).int16(0).int16(textParams.length);
        for (String param : textParams) {
            if (param == null) {
                body.int32(-1);
            } else {
                byte[] value = param.getBytes(StandardCharsets.UTF_8);
                body.int32(value.length).raw(value);
            }
        }
        body.int16(0);
        send('B', body.bytes());
    }

    public void describePortal(String portal) {
        send('D', new Body().int8('P').cstring(portal).bytes());
    }

    public void describeStatement(String statement) {
        send('D', new Body().int8('S').cstring(statement).bytes());
    }

    public void execute(String portal, int maxRows) {
        send('E', new Body().cstring(portal).int32(maxRows).bytes());
    }

    public void sync() {
        send('S', new byte[0]);
    }

    public void flush() {
        send('H', new byte[0]);
    }

    /** Close of a prepared statement ('S') or portal ('P'). */
    public void close(char kind, String name) {
        if (kind != 'S' && kind != 'P') {
            throw new IllegalArgumentException("kind must be 'S' or 'P', got " + kind);
        }
        send('C', new Body().int8(kind).cstring(name).bytes());
    }

    public void terminate() {
        send('X', new byte[0]);
    }

    public void copyData(byte[] data) {
        send('d', data);
    }

    public void copyDone() {
        send('c', new byte[0]);
    }

    public void copyFail(String message) {
        send('f', new Body().cstring(message).bytes());
    }

    /** PasswordMessage carrying a cleartext (or already hashed) password. */
    public void password(String password) {
        send('p', new Body().cstring(password).bytes());
    }

    // ---------------------------------------------------------------- backend messages

    /** Whether something from the server can be read now without waiting (a message, or the connection's end). */
    public boolean hasInput() {
        try {
            return in.available() > 0;
        } catch (IOException e) {
            return true; // reading would fail at once
        }
    }

    /** Blocks (at most 10 s) for the next message. */
    public BackendMessage read() {
        try {
            char type = (char) in.readUnsignedByte();
            int length = in.readInt();
            if (length < 4 || length > MAX_MESSAGE_LENGTH) {
                throw new AssertionError("implausible length " + length + " for message type '" + type + "'");
            }
            byte[] body = new byte[length - 4];
            in.readFully(body);
            return new BackendMessage(type, body);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no message from the server within " + READ_TIMEOUT_MILLIS + " ms", e);
        } catch (EOFException e) {
            throw new AssertionError("the server closed the connection", e);
        } catch (IOException e) {
            throw new UncheckedIOException("read failed", e);
        }
    }

    /**
     * Reads every byte the server sends until it closes the connection (waiting at most 10 s for each): what a
     * client finds after the messages it read, such as the first part of a message the connection ended inside.
     */
    public byte[] readUntilClosed() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        try {
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                bytes.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + READ_TIMEOUT_MILLIS
                    + " ms", e);
        } catch (SocketException e) {
            // Reset: what arrived before it is what the client got.
        } catch (IOException e) {
            throw new UncheckedIOException("read failed", e);
        }
        return bytes.toByteArray();
    }

    /** Reads up to and including the next ReadyForQuery. */
    public List<BackendMessage> readUntilReady() {
        List<BackendMessage> messages = new ArrayList<>();
        BackendMessage message;
        do {
            message = read();
            messages.add(message);
        } while (message.type() != 'Z');
        return messages;
    }

    /** Reads one message and fails, showing what arrived instead, unless it has this type. */
    public BackendMessage expect(char type) {
        BackendMessage message = read();
        if (message.type() != type) {
            throw new AssertionError("expected message '" + type + "' but got " + message);
        }
        return message;
    }

    /**
     * Answers the server's authentication requests until AuthenticationOk. Handles trust,
     * cleartext (3), MD5 (5) and SCRAM-SHA-256 (10); {@code password} may be null for trust.
     *
     * @return the method the server asked for: 0 (none), 3, 5 or 10
     * @throws ServerError if the server rejects the login
     */
    public int authenticate(String user, String password) {
        int method = 0;
        ScramClient scram = null;
        while (true) {
            BackendMessage message = read();
            if (message.type() == 'E') {
                throw new ServerError("authentication of " + user, message);
            }
            if (message.type() != 'R') {
                throw new AssertionError("expected an authentication request but got " + message);
            }
            int code = message.authCode();
            switch (code) {
                case 0 -> {
                    return method;
                }
                case 3 -> {
                    method = code;
                    password(requirePassword(password, user));
                }
                case 5 -> {
                    method = code;
                    byte[] salt = Arrays.copyOfRange(message.body(), 4, 8);
                    password(md5Password(user, requirePassword(password, user), salt));
                }
                case 10 -> {
                    method = code;
                    if (!saslMechanisms(message).contains(ScramClient.MECHANISM)) {
                        throw new AssertionError("server offers no " + ScramClient.MECHANISM + ": " + saslMechanisms(message));
                    }
                    scram = new ScramClient(requirePassword(password, user));
                    byte[] first = scram.clientFirstMessage().getBytes(StandardCharsets.UTF_8);
                    send('p', new Body().cstring(ScramClient.MECHANISM).int32(first.length).raw(first).bytes());
                }
                case 11 -> send('p', requireScram(scram, message)
                        .clientFinalMessage(saslData(message)).getBytes(StandardCharsets.UTF_8));
                case 12 -> requireScram(scram, message).verifyServerFinal(saslData(message));
                default -> throw new AssertionError("unsupported authentication request " + code);
            }
        }
    }

    /**
     * Startup, authentication, then ParameterStatus/BackendKeyData up to the first ReadyForQuery.
     * {@code extra} startup parameters (e.g. application_name) may be null.
     *
     * @throws ServerError if the server refuses the connection
     */
    public StartupResult login(String user, String database, String password, Map<String, String> extra) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", user);
        params.put("database", database);
        if (extra != null) {
            params.putAll(extra);
        }
        sendStartup(params);
        int method = authenticate(user, password);
        Map<String, String> status = new LinkedHashMap<>();
        int pid = 0;
        int secret = 0;
        while (true) {
            BackendMessage message = read();
            switch (message.type()) {
                case 'S' -> status.put(message.paramName(), message.paramValue());
                case 'K' -> {
                    pid = message.int32At(0);
                    secret = message.int32At(4);
                }
                case 'N' -> {
                    // Notices during startup carry nothing a login needs.
                }
                case 'E' -> throw new ServerError("startup of " + user + "@" + database, message);
                case 'Z' -> {
                    return new StartupResult(status, pid, secret, method);
                }
                default -> throw new AssertionError("unexpected message during startup: " + message);
            }
        }
    }

    /**
     * Whether the server closes the connection within {@code within}. Anything it sends
     * meanwhile (such as a final FATAL error) is read and discarded.
     */
    public boolean isClosedByPeer(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        try {
            while (true) {
                long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
                try {
                    if (in.read() < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    return false;
                }
            }
        } catch (SocketException e) {
            return true; // connection reset
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                }
            } catch (SocketException ignored) {
                // The socket is dead; nothing to restore.
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    /**
     * Sends a CancelRequest on a new connection and waits (at most 10 s) for the server to close
     * it, which it does once the request has been handled.
     */
    public static void cancel(String host, int port, int pid, int secret) {
        try (RawPgClient client = connect(host, port)) {
            client.sendUntyped(new Body().int32(CANCEL_REQUEST_CODE).int32(pid).int32(secret).bytes());
            if (!client.isClosedByPeer(Duration.ofMillis(READ_TIMEOUT_MILLIS))) {
                throw new AssertionError("server did not close the cancel connection within " + READ_TIMEOUT_MILLIS + " ms");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Startup-phase messages have no type byte, only a length. */
    private void sendUntyped(byte[] body) {
        sendRaw(ByteBuffer.allocate(4 + body.length).putInt(4 + body.length).put(body).array());
    }

    private static String requirePassword(String password, String user) {
        if (password == null) {
            throw new AssertionError("the server wants a password for " + user + " but none was given");
        }
        return password;
    }

    private static ScramClient requireScram(ScramClient scram, BackendMessage message) {
        if (scram == null) {
            throw new AssertionError("SASL continuation without SASL start: " + message);
        }
        return scram;
    }

    private static List<String> saslMechanisms(BackendMessage message) {
        List<String> names = new ArrayList<>();
        byte[] body = message.body();
        int start = 4;
        while (start < body.length && body[start] != 0) {
            int end = start;
            while (body[end] != 0) {
                end++;
            }
            names.add(new String(body, start, end - start, StandardCharsets.UTF_8));
            start = end + 1;
        }
        return names;
    }

    private static String saslData(BackendMessage message) {
        byte[] body = message.body();
        return new String(body, 4, body.length - 4, StandardCharsets.UTF_8);
    }

    /** "md5" + md5hex(md5hex(password + user) + salt), as the MD5 method expects. */
    static String md5Password(String user, String password, byte[] salt) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            String inner = HexFormat.of().formatHex(md5.digest((password + user).getBytes(StandardCharsets.UTF_8)));
            md5.update(inner.getBytes(StandardCharsets.US_ASCII));
            md5.update(salt);
            return "md5" + HexFormat.of().formatHex(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a broken socket can fail; it is closed either way.
        }
    }

    /** Builds a message body in network byte order. */
    private static final class Body {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Body int8(int v) {
            bytes.write(v);
            return this;
        }

        Body int16(int v) {
            bytes.write(v >>> 8);
            bytes.write(v);
            return this;
        }

        Body int32(int v) {
            return int16(v >>> 16).int16(v);
        }

        Body cstring(String s) {
            return raw(s.getBytes(StandardCharsets.UTF_8)).int8(0);
        }

        Body raw(byte[] b) {
            bytes.write(b, 0, b.length);
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
