package io.pgmux.session;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A client's named prepared statement: its definition (query text and parameter types, exactly as the client's
 * Parse carried them), the name pgmux prepares it under on servers, and the generation of the client's Parse. The
 * name is derived from the definition and from what decides which objects its names denote (the client's
 * search_path and role, {@code SessionParameters#nameResolution}), so every client of a pool preparing the same
 * statement in the same setting shares it on each server, and a client whose {@code t} is another schema's table
 * never binds a plan made for the first. The generation says which of those servers' plans are recent enough for
 * this client (see {@code ServerPool#nextStatementGeneration}).
 */
record Statement(String serverName, byte[] definition, long generation, SqlCommand dropsNames) {
    /**
     * A statement name pgmux never prepares on a server (its own are this prefix and 24 hex digits): a Describe
     * or Close of it stands in for a client's message the server must not see but must fail or answer.
     */
    static final String NEVER_PREPARED = "pgmux_";

    /** The query text of the definition (up to its NUL), decoded as UTF-8 (as pgmux reads query text elsewhere). */
    String queryText() {
        return new String(definition, 0, textEnd(definition), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Where the query text of {@code definition} ends: at its NUL. */
    private static int textEnd(byte[] definition) {
        int end = 0;
        while (end < definition.length && definition[end] != 0) {
            end++;
        }
        return end;
    }

    /**
     * @param nameResolution the client's {@code SessionParameters#nameResolution} when it parsed it ("" for the
     *     pool's own)
     */
    static Statement of(byte[] definition, long generation, String nameResolution) {
        return new Statement(nameFor(definition, nameResolution), definition, generation, dropsNames(definition));
    }

    /**
     * DEALLOCATE ALL or DISCARD ALL, which drop every name of the client's when the statement is executed; else
     * null. (A DEALLOCATE of one name is not followed in a named statement: the server knows that name by pgmux's.)
     */
    private static SqlCommand dropsNames(byte[] definition) {
        SqlCommand command = SqlCommand.classify(io.netty.buffer.Unpooled.wrappedBuffer(definition), 0,
                textEnd(definition));
        return command.kind() == SqlCommand.Kind.DEALLOCATE_ALL || command.kind() == SqlCommand.Kind.DISCARD_ALL
                ? command : null;
    }

    private static String nameFor(byte[] definition, String nameResolution) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // The definition's length first: no definition and setting make the bytes of another pair.
            sha.update(java.nio.ByteBuffer.allocate(4).putInt(definition.length).array());
            sha.update(definition);
            sha.update(nameResolution.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] digest = sha.digest();
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
