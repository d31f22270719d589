package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.backend.DataRow;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.frontend.Query;
import io.pgmux.protocol.frontend.Terminate;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * Asks a PostgreSQL server for its connection slots over one short-lived, blocking connection, logged in as a
 * pool would. Used at start (on a thread of its own, never an event loop) and by {@code check-config --upstream}.
 */
public final class UpstreamProbe {
    private static final String LIMITS_QUERY = "select current_setting('max_connections'),"
            + " current_setting('superuser_reserved_connections'),"
            + " coalesce(current_setting('reserved_connections', true), '0'),"
            + " (select count(*) from pg_stat_activity"
            + "   where backend_type = 'client backend' and pid <> pg_backend_pid())";
    private static final int MAX_FRAME = 1 << 20;

    private final UpstreamTarget target;
    private final Duration timeout;
    private final ByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;

    public UpstreamProbe(UpstreamTarget target, Duration timeout) {
        this.target = target;
        this.timeout = timeout.isZero() ? Duration.ofSeconds(10) : timeout;
    }

    /**
     * @throws IOException          when the server cannot be reached or the connection breaks
     * @throws LoginFailedException when the server refuses the login or the query
     */
    public UpstreamSlots read() throws IOException {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), millis);
            socket.setSoTimeout(millis);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            ServerLogin login = new ServerLogin(target);
            send(out, login.startupMessage(alloc));
            while (!login.handle(readFrame(in), alloc, msg -> sendUnchecked(out, msg))) {
                // the login goes on until ReadyForQuery
            }
            send(out, Query.encode(alloc, LIMITS_QUERY));
            UpstreamSlots slots = readLimits(in);
            send(out, Terminate.encode(alloc));
            return slots;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private UpstreamSlots readLimits(DataInputStream in) throws IOException {
        UpstreamSlots slots = null;
        while (true) {
            ByteBuf frame = readFrame(in);
            byte tag = frame.readByte();
            frame.skipBytes(4);
            switch (tag) {
                case BackendTag.DATA_ROW:
                    List<String> row = DataRow.decode(frame).values();
                    slots = new UpstreamSlots(Integer.parseInt(row.get(0)), Integer.parseInt(row.get(1)),
                            Integer.parseInt(row.get(2)), Integer.parseInt(row.get(3)));
                    break;
                case BackendTag.ERROR_RESPONSE:
                    PgError error = ErrorResponse.decode(frame);
                    throw new LoginFailedException(error, false);
                case BackendTag.READY_FOR_QUERY:
                    if (slots == null) {
                        throw new ProtocolException("the upstream answered its limits with no row");
                    }
                    return slots;
                default:
                    break; // RowDescription, CommandComplete, notices, parameter changes
            }
        }
    }

    /** One whole message, type byte and length included, as ServerLogin expects it. */
    private static ByteBuf readFrame(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        int length = in.readInt();
        if (length < 4 || length > MAX_FRAME) {
            throw new ProtocolException("the upstream sent a message of length " + length);
        }
        byte[] frame = new byte[length + 1];
        frame[0] = tag;
        frame[1] = (byte) (length >>> 24);
        frame[2] = (byte) (length >>> 16);
        frame[3] = (byte) (length >>> 8);
        frame[4] = (byte) length;
        in.readFully(frame, 5, length - 4);
        return Unpooled.wrappedBuffer(frame);
    }

    private static void send(OutputStream out, ByteBuf message) throws IOException {
        try {
            message.readBytes(out, message.readableBytes());
            out.flush();
        } finally {
            message.release();
        }
    }

    private static void sendUnchecked(OutputStream out, ByteBuf message) {
        try {
            send(out, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
