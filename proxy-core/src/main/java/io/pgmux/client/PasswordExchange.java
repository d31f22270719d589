package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.auth.AuthenticationException;
import io.pgmux.auth.Md5Password;
import io.pgmux.auth.PasswordCheck;
import io.pgmux.auth.ScramSecret;
import io.pgmux.auth.ScramSha256Server;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.config.AuthType;
import io.pgmux.protocol.backend.Authentication;
import io.pgmux.protocol.frontend.PasswordMessage;
import io.pgmux.protocol.frontend.SASLInitialResponse;
import io.pgmux.protocol.frontend.SASLResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * One client's password exchange: the request pgmux sends, then one step per PasswordMessage /
 * SASLInitialResponse / SASLResponse until the client is proven or refused.
 *
 * <p>A doomed exchange (the user does not exist or has no password) runs exactly like any other, against mock
 * credentials, and fails only at its end with the same error as a wrong password, as PostgreSQL's does.
 */
final class PasswordExchange {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AuthType type;
    private final String user;
    /** What a cleartext or MD5 answer is checked against: the configured password, or a mock one; SCRAM: unused. */
    private final String password;
    /** What a SCRAM proof is checked against: the user's secret, or a mock one; other methods: unused. */
    private final ScramSecret scramSecret;
    /** Fails whatever the client answers, once it has answered. */
    private final boolean doomed;
    private byte[] md5Salt;
    private ScramSha256Server scram;

    PasswordExchange(AuthType type, String user, String password, ScramSecret scramSecret, boolean doomed) {
        this.type = type;
        this.user = user;
        this.password = password;
        this.scramSecret = scramSecret;
        this.doomed = doomed;
    }

    boolean needsPassword() {
        return type != AuthType.TRUST;
    }

    /** The first authentication request; only called when {@link #needsPassword()}. */
    ByteBuf firstRequest(ByteBufAllocator alloc) {
        switch (type) {
            case PASSWORD:
                return Authentication.cleartextPassword(alloc);
            case MD5:
                md5Salt = new byte[Md5Password.SALT_LENGTH];
                RANDOM.nextBytes(md5Salt);
                return Authentication.md5Password(alloc, md5Salt);
            case SCRAM_SHA_256:
                return Authentication.sasl(alloc, "SCRAM-SHA-256");
            default:
                throw new IllegalStateException("no password request for " + type);
        }
    }

    /** What the client may send while this exchange waits for it: PostgreSQL tells a SASL exchange apart. */
    ExpectedMessages responses() {
        return type == AuthType.SCRAM_SHA_256 ? ExpectedMessages.SASL_RESPONSE : ExpectedMessages.PASSWORD_RESPONSE;
    }

    /**
     * Takes the body of the client's next 'p' message.
     *
     * @return the next request to send, or null when the client is authenticated
     * @throws AuthenticationException when the password is wrong, the login doomed or the exchange malformed
     */
    ByteBuf step(ByteBuf body, ByteBufAllocator alloc) {
        switch (type) {
            case PASSWORD:
                byte[] cleartext = PasswordMessage.decode(body).getBytes(StandardCharsets.UTF_8);
                if (!PasswordCheck.matches(password, cleartext) || doomed) {
                    throw failed();
                }
                return null;
            case MD5:
                byte[] response = PasswordMessage.decode(body).getBytes(StandardCharsets.UTF_8);
                if (!Md5Password.verify(user, password, md5Salt, response) || doomed) {
                    throw failed();
                }
                return null;
            case SCRAM_SHA_256:
                return scramStep(body, alloc);
            default:
                throw new IllegalStateException("unexpected password message for " + type);
        }
    }

    private ByteBuf scramStep(ByteBuf body, ByteBufAllocator alloc) {
        if (scram == null) {
            SASLInitialResponse initial = SASLInitialResponse.decode(body);
            if (!"SCRAM-SHA-256".equals(initial.mechanism())) {
                throw new AuthenticationException("SASL mechanism \"" + initial.mechanism() + "\" is not offered");
            }
            scram = new ScramSha256Server(scramSecret);
            return Authentication.saslContinue(alloc, scram.serverFirstMessage(initial.data()));
        }
        if (scram.isComplete()) {
            throw new AuthenticationException("unexpected message after the SCRAM exchange");
        }
        byte[] serverFinal;
        try {
            serverFinal = scram.serverFinalMessage(SASLResponse.decode(body));
        } catch (AuthenticationException e) {
            throw failed();
        }
        if (doomed) {
            throw failed();
        }
        return Authentication.saslFinal(alloc, serverFinal);
    }

    /** After a SCRAM exchange the final message goes out before AuthenticationOk; the others need nothing. */
    boolean isComplete() {
        return type != AuthType.SCRAM_SHA_256 || (scram != null && scram.isComplete());
    }

    private AuthenticationException failed() {
        return new AuthenticationException("password authentication failed for user \"" + user + "\"");
    }
}
