package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.auth.AuthenticationException;
import io.pgmux.auth.Md5Password;
import io.pgmux.auth.ScramSecret;
import io.pgmux.auth.ScramSha256Client;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.config.AuthType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A doomed exchange runs like any other and fails at its end, even if the client answers "right". */
class PasswordExchangeTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final String FAILED = "password authentication failed for user \"alice\"";

    private static ByteBuf cstring(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return Unpooled.wrappedBuffer(Arrays.copyOf(bytes, bytes.length + 1));
    }

    private static byte[] requestData(ByteBuf request) {
        try {
            byte[] data = new byte[request.readableBytes() - 9];
            request.getBytes(9, data);
            return data;
        } finally {
            request.release();
        }
    }

    @Test
    void aCleartextExchangeSucceedsWithTheRightPasswordUnlessDoomed() {
        PasswordExchange right = PasswordExchange.of(io.pgmux.auth.PasswordChallenge.CLEARTEXT, "alice", new io.pgmux.config.StoredPassword.Plaintext("pw"));
        right.firstRequest(ALLOC).release();
        assertNull(right.step(cstring("pw"), ALLOC));

        PasswordExchange doomed = PasswordExchange.doomed(io.pgmux.auth.PasswordChallenge.CLEARTEXT, "alice", new io.pgmux.config.StoredPassword.Plaintext("pw"));
        doomed.firstRequest(ALLOC).release();
        assertEquals(FAILED, assertThrows(AuthenticationException.class,
                () -> doomed.step(cstring("pw"), ALLOC)).getMessage());
        assertEquals(ExpectedMessages.PASSWORD_RESPONSE, doomed.responses());
    }

    @Test
    void anMd5ExchangeFailsWhenDoomedEvenWithTheMatchingAnswer() {
        PasswordExchange doomed = PasswordExchange.doomed(io.pgmux.auth.PasswordChallenge.MD5, "alice", new io.pgmux.config.StoredPassword.Plaintext("pw"));
        byte[] salt = requestData(doomed.firstRequest(ALLOC));
        assertEquals(4, salt.length);
        String answer = new String(Md5Password.encode("alice", "pw", salt), StandardCharsets.US_ASCII);
        assertEquals(FAILED, assertThrows(AuthenticationException.class,
                () -> doomed.step(cstring(answer), ALLOC)).getMessage());
    }

    @Test
    void aScramExchangeGoesToItsEndWhenDoomedAndFailsThere() {
        ScramSecret secret = ScramSecret.fromPassword("pw");
        PasswordExchange doomed = PasswordExchange.doomedScram("alice", secret);
        assertEquals(ExpectedMessages.SASL_RESPONSE, doomed.responses());
        doomed.firstRequest(ALLOC).release();
        ScramSha256Client client = new ScramSha256Client("pw");
        byte[] first = client.clientFirstMessage();
        ByteBuf initial = Unpooled.wrappedBuffer(cstring("SCRAM-SHA-256"),
                Unpooled.wrappedBuffer(ByteBuffer.allocate(4).putInt(first.length).array()),
                Unpooled.wrappedBuffer(first));
        byte[] serverFirst = requestData(doomed.step(initial, ALLOC));
        assertTrue(new String(serverFirst, StandardCharsets.UTF_8).contains(",i=4096"), "the challenge is sent");
        byte[] clientFinal = client.clientFinalMessage(serverFirst);
        assertEquals(FAILED, assertThrows(AuthenticationException.class,
                () -> doomed.step(Unpooled.wrappedBuffer(clientFinal), ALLOC)).getMessage());
    }
}
