package io.pgmux.auth;

import java.text.Normalizer;

/**
 * The part of SASLprep (RFC 4013) that PostgreSQL applies to SCRAM passwords and that can change the result.
 *
 * <p>Client and server must prepare the password the same way or a correct non-ASCII password fails to log in.
 * This does the mapping steps exactly as PostgreSQL's {@code pg_saslprep} does (non-ASCII spaces become U+0020,
 * first, then the "commonly mapped to nothing" characters are dropped) followed by NFKC.
 *
 * <p>Simplification: the prohibited-output, bidirectional and unassigned-code-point checks are not done.
 * PostgreSQL, when a password fails those checks, uses the raw password bytes instead; we use the mapped and
 * normalized form. The two differ only for passwords containing such characters (control or private-use
 * characters next to non-ASCII text, for instance), which is rare enough to accept for now.
 */
final class SaslPrep {
    private SaslPrep() {
    }

    static String prepare(String password) {
        if (isAscii(password)) {
            // ASCII is unchanged by every SASLprep step (PostgreSQL takes the same shortcut), and this is the
            // common case.
            return password;
        }
        StringBuilder mapped = new StringBuilder(password.length());
        password.codePoints().forEach(cp -> {
            if (isNonAsciiSpace(cp)) {
                mapped.append(' ');
            } else if (!isMappedToNothing(cp)) {
                mapped.appendCodePoint(cp);
            }
        });
        String prepared = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
        // An empty result is not a valid SASLprep output; PostgreSQL falls back to the raw password then.
        return prepared.isEmpty() ? password : prepared;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3454 table C.1.2. */
    private static boolean isNonAsciiSpace(int cp) {
        return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** RFC 3454 table B.1. */
    private static boolean isMappedToNothing(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
                || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F)
                || cp == 0xFEFF;
    }
}
