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
import io.pgmux.config.UserConfig;
import io.pgmux.protocol.backend.Authentication;
import io.pgmux.protocol.frontend.PasswordMessage;
import io.pgmux.protocol.frontend.SASLInitialResponse;
import io.pgmux.protocol.frontend.SASLResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * One client's password exchange: the request pgmux sends, then one step per PasswordMessage /
 * SASLInitialResponse / SASLResponse until the client is proven or refused.
 */
final class PasswordExchange {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AuthType type;
    private final UserConfig user;
    private final ScramSecret scramSecret;
    private byte[] md5Salt;
    private ScramSha256Server scram;

    PasswordExchange(AuthType type, UserConfig user, ScramSecret scramSecret) {
        this.type = type;
        this.user = user;
        this.scramSecret = scramSecret;
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
                md5Salt = new byte[4];
                RANDOM.nextBytes(md5Salt);
                return Authentication.md5Password(alloc, md5Salt);
            case SCRAM_SHA_256:
                return Authentication.sasl(alloc, "SCRAM-SHA-256");
            default:
                throw new IllegalStateException("no password request for " + type);
        }
    }

    /**
     * Takes the body of the client's next 'p' message.
     *
     * @return the next request to send, or null when the client is authenticated
     * @throws AuthenticationException when the password is wrong or the exchange is malformed
     */
    ByteBuf step(ByteBuf body, ByteBufAllocator alloc) {
        String password = user.password().orElse(null);
        switch (type) {
            case PASSWORD:
                requirePassword(password);
                byte[] cleartext = PasswordMessage.decode(body).getBytes(StandardCharsets.UTF_8);
                if (!PasswordCheck.matches(password, cleartext)) {
                    throw failed();
                }
                return null;
            case MD5:
                requirePassword(password);
                byte[] response = PasswordMessage.decode(body).getBytes(StandardCharsets.UTF_8);
                if (!Md5Password.verify(user.name(), password, md5Salt, response)) {
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
        if (scramSecret == null) {
            throw failed();
        }
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
        return Authentication.saslFinal(alloc, serverFinal);
    }

    /** What the client may send while this exchange waits for it: PostgreSQL tells a SASL exchange apart. */
    ExpectedMessages responses() {
        return type == AuthType.SCRAM_SHA_256 ? ExpectedMessages.SASL_RESPONSE : ExpectedMessages.PASSWORD_RESPONSE;
    }

    /** After a SCRAM exchange the final message goes out before AuthenticationOk; the others need nothing. */
    boolean isComplete() {
        return type != AuthType.SCRAM_SHA_256 || (scram != null && scram.isComplete());
    }

    private void requirePassword(String password) {
        if (password == null) {
            throw failed();
        }
    }

    private AuthenticationException failed() {
        return new AuthenticationException("password authentication failed for user \"" + user.name() + "\"");
    }
}
