package io.pgmux.it;

import io.pgmux.testing.RawPgClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Frontend messages collected into one byte array, so a test can put a whole pipeline (several Syncs, a COPY's
 * data...) into a single write with {@link RawPgClient#sendRaw}.
 */
final class Wire {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Wire message(char type, byte[] body) {
        out.writeBytes(ByteBuffer.allocate(5).put((byte) type).putInt(body.length + 4).array());
        out.writeBytes(body);
        return this;
    }

    Wire query(String sql) {
        return message('Q', cstring(sql));
    }

    /** Parse with no parameter types. */
    Wire parse(String name, String sql) {
        return message('P', concat(cstring(name), cstring(sql), new byte[] {0, 0}));
    }

    /** Bind with text parameters and text results. */
    Wire bind(String portal, String statement, String... params) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(cstring(portal));
        body.writeBytes(cstring(statement));
        body.writeBytes(new byte[] {0, 0});
        body.writeBytes(ByteBuffer.allocate(2).putShort((short) params.length).array());
        for (String each : params) {
            byte[] value = each.getBytes(StandardCharsets.UTF_8);
            body.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
            body.writeBytes(value);
        }
        body.writeBytes(new byte[] {0, 0});
        return message('B', body.toByteArray());
    }

    Wire describePortal(String portal) {
        return message('D', concat(new byte[] {'P'}, cstring(portal)));
    }

    Wire describeStatement(String statement) {
        return message('D', concat(new byte[] {'S'}, cstring(statement)));
    }

    /** Close of a prepared statement. */
    Wire closeStatement(String statement) {
        return message('C', concat(new byte[] {'S'}, cstring(statement)));
    }

    /** FunctionCall of the function {@code oid} with text arguments and a text result. */
    Wire functionCall(int oid, String... args) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(ByteBuffer.allocate(8).putInt(oid).putShort((short) 0).putShort((short) args.length).array());
        for (String each : args) {
            byte[] value = each.getBytes(StandardCharsets.UTF_8);
            body.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
            body.writeBytes(value);
        }
        body.writeBytes(new byte[] {0, 0});
        return message('F', body.toByteArray());
    }

    Wire execute(String portal) {
        return message('E', concat(cstring(portal), new byte[] {0, 0, 0, 0}));
    }

    Wire sync() {
        return message('S', new byte[0]);
    }

    Wire flush() {
        return message('H', new byte[0]);
    }

    Wire copyData(String text) {
        return message('d', text.getBytes(StandardCharsets.UTF_8));
    }

    Wire copyDone() {
        return message('c', new byte[0]);
    }

    Wire terminate() {
        return message('X', new byte[0]);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    void sendTo(RawPgClient client) {
        client.sendRaw(bytes());
    }

    static byte[] cstring(String s) {
        return concat(s.getBytes(StandardCharsets.UTF_8), new byte[] {0});
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] each : parts) {
            all.writeBytes(each);
        }
        return all.toByteArray();
    }
}
