package io.pgmux.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One message from a PostgreSQL server: its type byte and its body (without the length word).
 * The accessors decode the few message types tests look into; they fail loudly when called on the
 * wrong type, since that means the test's expectation of the conversation is wrong.
 */
public record BackendMessage(char type, byte[] body) {

    /** A field of an ErrorResponse or NoticeResponse, e.g. 'C' SQLSTATE, 'M' message, 'S' severity; null if absent. */
    public String errorField(char code) {
        return errorFields().get(code);
    }

    /** All fields of an ErrorResponse or NoticeResponse, in wire order. */
    public Map<Character, String> errorFields() {
        requireType('E', 'N');
        Map<Character, String> fields = new LinkedHashMap<>();
        int pos = 0;
        while (pos < body.length && body[pos] != 0) {
            char code = (char) body[pos];
            int end = nul(pos + 1);
            fields.put(code, text(pos + 1, end));
            pos = end + 1;
        }
        return Collections.unmodifiableMap(fields);
    }

    /** The transaction status of a ReadyForQuery: 'I' idle, 'T' in transaction, 'E' failed transaction. */
    public char readyStatus() {
        requireType('Z');
        return (char) body[0];
    }

    /** The columns of a DataRow as text, null for SQL NULL (meaningful for text-format results). */
    public List<String> dataRowText() {
        requireType('D');
        ByteBuffer buf = ByteBuffer.wrap(body);
        int columns = buf.getShort() & 0xFFFF;
        List<String> values = new ArrayList<>(columns);
        for (int i = 0; i < columns; i++) {
            int length = buf.getInt();
            if (length < 0) {
                values.add(null);
            } else {
                values.add(text(buf.position(), buf.position() + length));
                buf.position(buf.position() + length);
            }
        }
        return Collections.unmodifiableList(values);
    }

    /** The tag of a CommandComplete, e.g. "SELECT 1" or "COPY 2". */
    public String commandTag() {
        requireType('C');
        return text(0, nul(0));
    }

    /** The parameter name of a ParameterStatus. */
    public String paramName() {
        requireType('S');
        return text(0, nul(0));
    }

    /** The parameter value of a ParameterStatus. */
    public String paramValue() {
        requireType('S');
        int start = nul(0) + 1;
        return text(start, nul(start));
    }

    /** The request code of an Authentication message: 0 ok, 3 cleartext, 5 MD5, 10 SASL, 11/12 SASL steps. */
    public int authCode() {
        requireType('R');
        return ByteBuffer.wrap(body).getInt();
    }

    /** A big-endian int32 of the body, for BackendKeyData and the like. */
    public int int32At(int offset) {
        return ByteBuffer.wrap(body).getInt(offset);
    }

    private void requireType(char... expected) {
        for (char c : expected) {
            if (type == c) {
                return;
            }
        }
        throw new AssertionError("expected a message of type " + new String(expected) + " but this is " + this);
    }

    private int nul(int from) {
        for (int i = from; i < body.length; i++) {
            if (body[i] == 0) {
                return i;
            }
        }
        throw new AssertionError("unterminated string in " + this);
    }

    private String text(int from, int to) {
        return new String(body, from, to - from, StandardCharsets.UTF_8);
    }

    /** Readable for assertion messages: decoded for the common types, otherwise the body length. */
    @Override
    public String toString() {
        try {
            return switch (type) {
                case 'E', 'N' -> type + errorFields().toString();
                case 'Z' -> "Z(" + readyStatus() + ")";
                case 'D' -> "D" + dataRowText();
                case 'C' -> "C(" + commandTag() + ")";
                case 'S' -> "S(" + paramName() + "=" + paramValue() + ")";
                case 'R' -> "R(" + authCode() + ")";
                default -> type + "(" + body.length + " bytes)";
            };
        } catch (RuntimeException | AssertionError malformed) {
            return type + "(malformed, " + body.length + " bytes)";
        }
    }
}
