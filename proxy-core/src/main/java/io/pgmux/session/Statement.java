package io.pgmux.session;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A client's named prepared statement: its definition (query text and parameter types, exactly as the client's
 * Parse carried them), the name pgmux prepares it under on servers, and the generation of the client's Parse. The
 * name is derived from the definition, so every client preparing the same statement shares it on each server; the
 * generation says which of those servers' plans are recent enough for this client (see
 * {@code ServerPool#nextStatementGeneration}).
 */
record Statement(String serverName, byte[] definition, long generation) {
    /**
     * A statement name pgmux never prepares on a server (its own are this prefix and 24 hex digits): a Describe
     * or Close of it stands in for a client's message the server must not see but must fail or answer.
     */
    static final String NEVER_PREPARED = "pgmux_";

    /** The query text of the definition (up to its NUL), decoded as UTF-8 (as pgmux reads query text elsewhere). */
    String queryText() {
        int end = 0;
        while (end < definition.length && definition[end] != 0) {
            end++;
        }
        return new String(definition, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    static Statement of(byte[] definition, long generation) {
        return new Statement(nameFor(definition), definition, generation);
    }

    private static String nameFor(byte[] definition) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(definition);
            StringBuilder result = new StringBuilder("pgmux_");
            for (int i = 0; i < 12; i++) {
                result.append(Character.forDigit((digest[i] >> 4) & 0xF, 16)).append(Character.forDigit(digest[i] & 0xF, 16));
            }
            return result.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
