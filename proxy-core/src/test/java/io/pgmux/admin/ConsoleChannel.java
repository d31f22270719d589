package io.pgmux.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.codec.MessageFramer;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.testing.BackendMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A console session on an in-memory channel, as the login flow would hand it over: the message framer, then the
 * admin handler. Sends raw frontend messages, reads back every backend message (releasing the buffers), and
 * checks that the session released every message it was given.
 */
final class ConsoleChannel implements AutoCloseable {
    static final BackendKeyData CANCEL_KEY = new BackendKeyData(4711, 0x0badcafe);

    final EmbeddedChannel channel;
    final AdminSession session;
    private final List<ByteBuf> sent = new ArrayList<>();

    private ConsoleChannel(EmbeddedChannel channel, AdminSession session) {
        this.channel = channel;
        this.session = session;
    }

    static ConsoleChannel open(AdminConsole console, AdminRole role, Map<String, String> startup) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(MessageFramer.NAME, new MessageFramer(1 << 20, ExpectedMessages.FRONTEND));
        AdminSession session = AdminSession.start(channel, role, role == AdminRole.ADMIN ? "root" : "monitor",
                startup, CANCEL_KEY, console);
        channel.pipeline().addLast("admin", new AdminHandler(session));
        return new ConsoleChannel(channel, session);
    }

    /** Sends a Query and returns everything the session answered. */
    List<BackendMessage> query(String sql) {
        send(Bytes.message('Q', Bytes.of().cstring(sql).build()));
        return received();
    }

    void send(byte[] wire) {
        ByteBuf buf = Unpooled.buffer(wire.length).writeBytes(wire);
        sent.add(buf);
        channel.writeInbound(buf);
    }

    /** Runs pending tasks, then reads and releases every message written so far. */
    List<BackendMessage> received() {
        channel.runPendingTasks();
        List<BackendMessage> result = new ArrayList<>();
        for (Object each = channel.readOutbound(); each != null; each = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) each;
            try {
                while (buf.isReadable()) {
                    char type = (char) buf.readByte();
                    int length = buf.readInt();
                    byte[] body = new byte[length - 4];
                    buf.readBytes(body);
                    result.add(new BackendMessage(type, body));
                }
            } finally {
                buf.release();
            }
        }
        return result;
    }

    /** Every message sent to the session has been released: no buffer leaks, however it ended. */
    void assertReleasedEverything() {
        for (ByteBuf each : sent) {
            assertEquals(0, each.refCnt(), "a message sent to the console was not released");
        }
    }

    @Override
    public void close() {
        received();
        channel.finishAndReleaseAll();
        assertReleasedEverything();
    }

    // ---- reading answers --------------------------------------------------------------------------------------

    /** One column of a RowDescription. */
    record Column(String name, int typeOid, int typeSize, int format) {
    }

    static List<Column> columns(BackendMessage rowDescription) {
        if (rowDescription.type() != 'T') {
            fail("expected a RowDescription, got " + rowDescription);
        }
        ByteBuffer b = ByteBuffer.wrap(rowDescription.body());
        int count = b.getShort() & 0xFFFF;
        List<Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int start = b.position();
            while (b.get() != 0) {
                // the name runs to its NUL
            }
            String name = new String(rowDescription.body(), start, b.position() - 1 - start, StandardCharsets.UTF_8);
            assertEquals(0, b.getInt(), "table OID of " + name);
            assertEquals(0, b.getShort(), "attribute number of " + name);
            int type = b.getInt();
            int size = b.getShort();
            assertEquals(-1, b.getInt(), "type modifier of " + name);
            columns.add(new Column(name, type, size, b.getShort()));
        }
        return columns;
    }

    static List<String> names(List<Column> columns) {
        List<String> names = new ArrayList<>(columns.size());
        for (Column each : columns) {
            names.add(each.name());
        }
        return names;
    }

    /** The message types in order, e.g. "TDDCZ". */
    static String types(List<BackendMessage> messages) {
        StringBuilder out = new StringBuilder();
        for (BackendMessage each : messages) {
            out.append(each.type());
        }
        return out.toString();
    }

    /** The DataRows' cells. */
    static List<List<String>> rows(List<BackendMessage> messages) {
        List<List<String>> rows = new ArrayList<>();
        for (BackendMessage each : messages) {
            if (each.type() == 'D') {
                rows.add(each.dataRowText());
            }
        }
        return rows;
    }

    static BackendMessage first(List<BackendMessage> messages, char type) {
        for (BackendMessage each : messages) {
            if (each.type() == type) {
                return each;
            }
        }
        throw new AssertionError("no message of type " + type + " in " + messages);
    }
}
