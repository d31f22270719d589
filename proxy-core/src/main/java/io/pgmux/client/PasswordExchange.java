package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.auth.AuthenticationException;
import io.pgmux.auth.Md5Password;
import io.pgmux.auth.PasswordChallenge;
import io.pgmux.auth.PasswordCheck;
import io.pgmux.auth.ScramKeys;
import io.pgmux.auth.ScramSecret;
import io.pgmux.auth.ScramSha256Server;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.config.StoredPassword;
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
 * <p>A doomed exchange (the user does not exist, has no password, or one the exchange cannot check) runs exactly
 * like any other, against mock credentials, and fails only at its end with the same error as a wrong password, as
 * PostgreSQL's does. After a SCRAM exchange against a verifier, the ClientKey recovered from the client's proof is
 * remembered for SCRAM passthrough.
 */
final class PasswordExchange {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** No exchange: trust, or a certificate that named the user. */
    private final PasswordChallenge challenge;
    private final String user;
    /** What a cleartext or MD5 answer is checked against; for SCRAM the verifier to remember a key for, if any. */
    private final StoredPassword password;
    /** What a SCRAM proof is checked against: the user's secret, or a mock one; other methods: unused. */
    private final ScramSecret scramSecret;
    private final ScramKeys scramKeys;
    /** Fails whatever the client answers, once it has answered. */
    private final boolean doomed;
    private byte[] md5Salt;
    /** pgmux's certificate hash where SCRAM-SHA-256-PLUS was offered; set with the first request. */
    private java.util.Optional<byte[]> serverEndPoint = java.util.Optional.empty();
    private ScramSha256Server scram;

    private PasswordExchange(PasswordChallenge challenge, String user, StoredPassword password,
                             ScramSecret scramSecret, ScramKeys scramKeys, boolean doomed) {
        this.challenge = challenge;
        this.user = user;
        this.password = password;
        this.scramSecret = scramSecret;
        this.scramKeys = scramKeys;
        this.doomed = doomed;
    }

    /** No password asked: the access policy let the client in. */
    static PasswordExchange none(String user) {
        return new PasswordExchange(null, user, null, null, null, false);
    }

    /** A cleartext or MD5 exchange against {@code password}. */
    static PasswordExchange of(PasswordChallenge challenge, String user, StoredPassword password) {
        if (challenge == PasswordChallenge.SCRAM_SHA_256) {
            throw new IllegalArgumentException("SCRAM needs a secret");
        }
        return new PasswordExchange(challenge, user, password, null, null, false);
    }

    /** A SCRAM exchange against {@code secret}, derived from or parsed out of {@code password}. */
    static PasswordExchange scram(String user, ScramSecret secret, StoredPassword password, ScramKeys keys) {
        return new PasswordExchange(PasswordChallenge.SCRAM_SHA_256, user, password, secret, keys, false);
    }

    /** A SCRAM exchange that fails at its end, run against a mock secret. */
    static PasswordExchange doomedScram(String user, ScramSecret mock) {
        return new PasswordExchange(PasswordChallenge.SCRAM_SHA_256, user, null, mock, null, true);
    }

    /** A cleartext or MD5 exchange that fails at its end, run against a mock password. */
    static PasswordExchange doomed(PasswordChallenge challenge, String user, StoredPassword.Plaintext mock) {
        return new PasswordExchange(of(challenge, user, mock).challenge, user, mock, null, null, true);
    }

    boolean needsPassword() {
        return challenge != null;
    }

    /** The first authentication request of a connection without TLS; only called when {@link #needsPassword()}. */
    ByteBuf firstRequest(ByteBufAllocator alloc) {
        return firstRequest(alloc, java.util.Optional.empty());
    }

    /**
     * The first authentication request; only called when {@link #needsPassword()}.
     *
     * @param serverEndPoint the {@code tls-server-end-point} data of pgmux's certificate on a TLS connection, where
     *                       SCRAM-SHA-256-PLUS is offered first, as PostgreSQL offers it; empty without TLS
     */
    ByteBuf firstRequest(ByteBufAllocator alloc, java.util.Optional<byte[]> serverEndPoint) {
        this.serverEndPoint = serverEndPoint;
        switch (challenge) {
            case CLEARTEXT:
                return Authentication.cleartextPassword(alloc);
            case MD5:
                md5Salt = new byte[Md5Password.SALT_LENGTH];
                RANDOM.nextBytes(md5Salt);
                return Authentication.md5Password(alloc, md5Salt);
            case SCRAM_SHA_256:
                return serverEndPoint.isPresent()
                        ? Authentication.sasl(alloc, ScramSha256Server.MECHANISM_PLUS, "SCRAM-SHA-256")
                        : Authentication.sasl(alloc, "SCRAM-SHA-256");
            default:
                throw new IllegalStateException("no password request for " + challenge);
        }
    }

    /** What the client may send while this exchange waits for it: PostgreSQL tells a SASL exchange apart. */
    ExpectedMessages responses() {
        return challenge == PasswordChallenge.SCRAM_SHA_256
                ? ExpectedMessages.SASL_RESPONSE : ExpectedMessages.PASSWORD_RESPONSE;
    }

    /**
     * Takes the body of the client's next 'p' message.
     *
     * @return the next request to send, or null when the client is authenticated
     * @throws AuthenticationException when the password is wrong, the login doomed or the exchange malformed
     */
    ByteBuf step(ByteBuf body, ByteBufAllocator alloc) {
        switch (challenge) {
            case CLEARTEXT:
                checkCleartext(PasswordMessage.decode(body));
                return null;
            case MD5:
                byte[] response = PasswordMessage.decode(body).getBytes(StandardCharsets.UTF_8);
                boolean matches = password instanceof StoredPassword.Md5
                        ? Md5Password.verifyHash((StoredPassword.Md5) password, md5Salt, response)
                        : Md5Password.verify(user, ((StoredPassword.Plaintext) password).password(), md5Salt,
                                response);
                if (!matches || doomed) {
                    throw failed();
                }
                return null;
            case SCRAM_SHA_256:
                return scramStep(body, alloc);
            default:
                throw new IllegalStateException("unexpected password message for " + challenge);
        }
    }

    /**
     * Whether the client's answer is checked by {@link #checkCleartext}, off the event loop: the cleartext
     * exchange, whose check against a SCRAM verifier derives the keys from the password (one PBKDF2 run). Every
     * cleartext answer takes that way, so known and unknown users, and every form of stored password, go through
     * the same steps.
     */
    boolean checksOffLoop() {
        return challenge == PasswordChallenge.CLEARTEXT;
    }

    /**
     * Checks a cleartext answer (the PasswordMessage's text) against the stored password, as PostgreSQL does for
     * the {@code password} method. Thread-safe: it reads only what this exchange was made with. Costs a PBKDF2 run
     * against a SCRAM verifier, so call it off the event loop.
     *
     * @throws AuthenticationException when the password is wrong or the login doomed
     */
    void checkCleartext(String cleartext) {
        if (challenge != PasswordChallenge.CLEARTEXT) {
            throw new IllegalStateException("a cleartext answer for " + challenge);
        }
        if (!PasswordCheck.matches(password, user, cleartext) || doomed) {
            throw failed();
        }
    }

    private ByteBuf scramStep(ByteBuf body, ByteBufAllocator alloc) {
        if (scram == null) {
            SASLInitialResponse initial = SASLInitialResponse.decode(body);
            scram = new ScramSha256Server(scramSecret, initial.mechanism(), serverEndPoint);
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
        if (password instanceof StoredPassword.ScramSha256) {
            scramKeys.remember((StoredPassword.ScramSha256) password, scram.clientKey());
        }
        return Authentication.saslFinal(alloc, serverFinal);
    }

    /** After a SCRAM exchange the final message goes out before AuthenticationOk; the others need nothing. */
    boolean isComplete() {
        return challenge != PasswordChallenge.SCRAM_SHA_256 || (scram != null && scram.isComplete());
    }

    private AuthenticationException failed() {
        return new AuthenticationException("password authentication failed for user \"" + user + "\"");
    }
}
