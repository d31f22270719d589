package io.pgmux.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the {@code a=value,b=value} attribute lists SCRAM messages are made of, in order.
 *
 * <p>The grammar fixes the order of attributes, so a cursor that is told which attribute comes next is all
 * the parsing needed. Values run to the next ',' and may contain '=' (base64 padding).
 */
final class ScramMessageReader {
    private final String text;
    private final String description;
    private int pos;

    /**
     * @param description names the message in errors, e.g. "upstream SCRAM server-first-message"
     */
    ScramMessageReader(String text, String description) {
        this.text = text;
        this.description = description;
    }

    /** Decodes a message strictly: SCRAM messages are UTF-8, and a lenient decode would change the signed text. */
    static String decode(byte[] message, String description) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AuthenticationException(description + " is not valid UTF-8");
        }
    }

    String text() {
        return text;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos == text.length();
    }

    /** The name of the next attribute, without consuming it. */
    char peekName() {
        if (pos + 1 >= text.length() || !isAsciiLetter(text.charAt(pos)) || text.charAt(pos + 1) != '=') {
            throw malformed("expected an attribute at offset " + pos);
        }
        return text.charAt(pos);
    }

    /** Consumes the next attribute, which must be {@code name}, and returns its value. */
    String read(char name) {
        char actual = peekName();
        if (actual != name) {
            throw malformed("expected attribute '" + name + "' but found '" + actual + "'");
        }
        int start = pos + 2;
        int comma = text.indexOf(',', start);
        int end = comma < 0 ? text.length() : comma;
        String value = text.substring(start, end);
        pos = end;
        if (comma >= 0) {
            pos++;
            if (atEnd()) {
                throw malformed("trailing ','");
            }
        }
        return value;
    }

    /** Consumes and discards any remaining attributes: extensions we do not know, which the RFC says to ignore. */
    void skipExtensions() {
        while (!atEnd()) {
            read(peekName());
        }
    }

    AuthenticationException malformed(String detail) {
        return new AuthenticationException(description + " is malformed: " + detail);
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
