package io.pgmux.cli.status;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgmux.auth.Md5Password;
import io.pgmux.auth.ScramSha256Client;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.backend.Authentication;
import io.pgmux.protocol.backend.DataRow;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.RowDescription;
import io.pgmux.protocol.frontend.PasswordMessage;
import io.pgmux.protocol.frontend.Query;
import io.pgmux.protocol.frontend.SASLInitialResponse;
import io.pgmux.protocol.frontend.SASLResponse;
import io.pgmux.protocol.frontend.StartupMessage;
import io.pgmux.protocol.frontend.Terminate;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A blocking client of pgmux's admin console, for the command line: it logs in (trust, cleartext, md5 or
 * SCRAM-SHA-256, as the console asks) and runs simple queries, whose results are text. It asks for TLS as its
 * {@link ConsoleTls} says (libpq's sslmode; prefer by default).
 */
public final class ConsoleClient implements AutoCloseable {
    /** The console's database name. */
    public static final String DATABASE = "pgmux";
    private static final int PROTOCOL_3_0 = 196608;
    private static final int MAX_MESSAGE = 64 << 20;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final ByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;

    private ConsoleClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** A result: the column names and the rows, each value text or null. */
    public record Result(List<String> columns, List<List<String>> rows) {
        /** The rows as maps from column name to value, for key/value results such as SHOW STATE. */
        public List<Map<String, String>> records() {
            List<Map<String, String>> all = new ArrayList<>();
            for (List<String> row : rows) {
                Map<String, String> record = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    record.put(columns.get(i), row.get(i));
                }
                all.add(record);
            }
            return all;
        }
    }

    /** The console answered with an ErrorResponse. */
    /** The console asked for a password and none is at hand: pgmux answered, so this is no lost connection. */
    public static final class PasswordRequired extends IOException {
        private static final long serialVersionUID = 1L;

        PasswordRequired(String user) {
            super("the console asks for the password of " + user + "; set PGPASSWORD");
        }
    }

    public static final class ConsoleException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient PgError error;

        ConsoleException(PgError error) {
            super(error.severity() + " " + error.sqlState() + " " + error.message());
            this.error = error;
        }

        public PgError error() {
            return error;
        }
    }

    /**
     * Connects and logs in to the console as {@code user}, without TLS unless pgmux offers it.
     *
     * @param password empty when none is at hand; a console that asks for one then fails the login
     * @throws IOException      when pgmux cannot be reached or breaks off
     * @throws ConsoleException when the login is refused
     */
    public static ConsoleClient login(String host, int port, String user, Optional<String> password,
                                      Duration timeout) throws IOException, ConsoleException {
        return login(host, port, user, password, timeout, ConsoleTls.prefer());
    }

    /**
     * Connects, asks for TLS as {@code tls} says, and logs in to the console as {@code user}.
     *
     * @param password empty when none is at hand; a console that asks for one then fails the login
     * @throws IOException      when pgmux cannot be reached or breaks off, or TLS cannot be had as {@code tls} asks
     * @throws ConsoleException when the login is refused
     */
    public static ConsoleClient login(String host, int port, String user, Optional<String> password,
                                      Duration timeout, ConsoleTls tls) throws IOException, ConsoleException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket = tls.negotiate(socket, host, port);
            ConsoleClient client = new ConsoleClient(socket);
            client.authenticate(user, password);
            return client;
        } catch (IOException | ConsoleException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void authenticate(String user, Optional<String> password) throws IOException, ConsoleException {
        send(new StartupMessage(PROTOCOL_3_0, Map.of("user", user, "database", DATABASE,
                "application_name", "pgmux status")).encode(alloc));
        ScramSha256Client scram = null;
        while (true) {
            Message message = read();
            if (message.tag() == BackendTag.AUTHENTICATION) {
                Authentication request = Authentication.decode(message.body());
                switch (request.type()) {
                    case Authentication.OK:
                        break;
                    case Authentication.CLEARTEXT_PASSWORD:
                        send(PasswordMessage.encode(alloc, required(password, user)
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                        break;
                    case Authentication.MD5_PASSWORD:
                        send(PasswordMessage.encode(alloc, Md5Password.encode(user, required(password, user),
                                request.data())));
                        break;
                    case Authentication.SASL:
                        if (!request.saslMechanisms().contains(ScramSha256Client.MECHANISM)) {
                            throw new IOException("the console offers no SASL mechanism this client speaks: "
                                    + request.saslMechanisms());
                        }
                        scram = new ScramSha256Client(required(password, user));
                        send(new SASLInitialResponse(scram.mechanism(), scram.clientFirstMessage()).encode(alloc));
                        break;
                    case Authentication.SASL_CONTINUE:
                        send(SASLResponse.encode(alloc, requireScram(scram).clientFinalMessage(request.data())));
                        break;
                    case Authentication.SASL_FINAL:
                        requireScram(scram).verifyServerFinal(request.data());
                        break;
                    default:
                        throw new IOException("the console asks for authentication method " + request.type()
                                + ", which this client does not speak");
                }
            } else if (message.tag() == BackendTag.READY_FOR_QUERY) {
                return;
            } else if (message.tag() == BackendTag.ERROR_RESPONSE) {
                throw new ConsoleException(ErrorResponse.decode(message.body()));
            }
            // ParameterStatus, BackendKeyData, notices: nothing this client needs.
        }
    }

    private static String required(Optional<String> password, String user) throws PasswordRequired {
        return password.orElseThrow(() -> new PasswordRequired(user));
    }

    private static ScramSha256Client requireScram(ScramSha256Client scram) throws IOException {
        if (scram == null) {
            throw new IOException("SCRAM message out of order");
        }
        return scram;
    }

    /** Runs one console command; its rows, or none for a command without. */
    public Result query(String sql) throws IOException, ConsoleException {
        send(Query.encode(alloc, sql));
        List<String> columns = List.of();
        List<List<String>> rows = new ArrayList<>();
        ConsoleException failed = null;
        while (true) {
            Message message = read();
            if (message.tag() == BackendTag.ROW_DESCRIPTION) {
                columns = RowDescription.decode(message.body()).fields().stream().map(RowDescription.Field::name)
                        .toList();
            } else if (message.tag() == BackendTag.DATA_ROW) {
                rows.add(DataRow.decode(message.body()).values());
            } else if (message.tag() == BackendTag.ERROR_RESPONSE) {
                failed = new ConsoleException(ErrorResponse.decode(message.body()));
            } else if (message.tag() == BackendTag.READY_FOR_QUERY) {
                if (failed != null) {
                    throw failed;
                }
                return new Result(columns, rows);
            }
        }
    }

    private record Message(byte tag, ByteBuf body) {
    }

    private Message read() throws IOException {
        byte tag = in.readByte();
        int length = in.readInt();
        if (length < 4 || length > MAX_MESSAGE) {
            throw new IOException("malformed message from the console: length " + length);
        }
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message(tag, Unpooled.wrappedBuffer(body));
    }

    private void send(ByteBuf message) throws IOException {
        try {
            byte[] bytes = new byte[message.readableBytes()];
            message.readBytes(bytes);
            out.write(bytes);
            out.flush();
        } finally {
            message.release();
        }
    }

    @Override
    public void close() {
        try {
            send(Terminate.encode(alloc));
        } catch (IOException e) {
            // Leaving anyway: the socket closes below.
        } finally {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing is left to release.
            }
        }
    }
}
