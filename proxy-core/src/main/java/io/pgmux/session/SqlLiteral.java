package io.pgmux.session;

import java.nio.charset.StandardCharsets;

/**
 * Text values written into pgmux's own SQL, so that the server reads them back exactly whatever the session's
 * standard_conforming_strings and client_encoding are: ASCII as an escape string constant ({@code E'...'}, whose
 * meaning does not depend on standard_conforming_strings), anything else as its UTF-8 bytes in hex, converted to
 * text by the server (no byte beyond ASCII ever depends on the client encoding).
 */
final class SqlLiteral {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private SqlLiteral() {
    }

    static String of(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80 || value.charAt(i) == 0) {
                return "pg_catalog.convert_from(pg_catalog.decode('" + hex(value.getBytes(StandardCharsets.UTF_8))
                        + "', 'hex'), 'UTF8')";
            }
        }
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** A text value read back as {@code encode(convert_to(value, 'UTF8'), 'hex')}; null stays null. */
    static String fromHex(String hex) {
        if (hex == null) {
            return null;
        }
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The SQL expression that reads {@code textExpression} back in a form {@link #fromHex} decodes. */
    static String asHex(String textExpression) {
        return "pg_catalog.encode(pg_catalog.convert_to(" + textExpression + ", 'UTF8'), 'hex')";
    }

    private static String hex(byte[] bytes) {
        StringBuilder result = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            result.append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
        }
        return result.toString();
    }
}
