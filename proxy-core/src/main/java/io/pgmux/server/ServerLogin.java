package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.pgmux.auth.AuthenticationException;
import io.pgmux.auth.Md5Password;
import io.pgmux.auth.ScramClientKey;
import io.pgmux.auth.ScramSha256Client;
import io.pgmux.auth.ScramSha256Server;
import io.pgmux.config.StoredPassword;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.backend.Authentication;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.ParameterStatus;
import io.pgmux.protocol.frontend.PasswordMessage;
import io.pgmux.protocol.frontend.SASLInitialResponse;
import io.pgmux.protocol.frontend.SASLResponse;
import io.pgmux.protocol.frontend.StartupMessage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Logs in to PostgreSQL as a pool's user: StartupMessage, then whichever password exchange the server asks for
 * (cleartext, MD5 or SCRAM-SHA-256), then the welcome (ParameterStatus, BackendKeyData) up to ReadyForQuery.
 *
 * <p>A SCRAM answer whose keys must first be derived from the password (a PBKDF2 run: the first login of a role
 * for a server's salt) is computed on {@code work}, off the event loop; the login then continues on the channel's
 * event loop through {@link Resume}. The server sends nothing meanwhile: it waits for that answer.
 */
final class ServerLogin {
    /** How a login continues after its key derivation ran elsewhere. */
    interface Resume {
        /**
         * Called on the channel's event loop, while the channel is open: run {@code step} as {@link #handle} is
         * run for a message, with the same handling of its exceptions and of its result (true: ReadyForQuery).
         */
        void resume(BooleanSupplier step);
    }

    private final UpstreamTarget target;
    private final Optional<byte[]> serverEndPoint;
    private final Executor work;
    private final Channel channel;
    private final Resume resume;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private ScramSha256Client scram;
    private BackendKeyData backendKey;

    /**
     * @param serverEndPoint the {@code tls-server-end-point} hash of the server's certificate on this TLS
     *                       connection ({@code ServerEndPoint.ofPeer}); SCRAM binds to it where the server offers
     *                       SCRAM-SHA-256-PLUS. Empty without TLS
     * @param work           where a key derivation runs (bounded; it may refuse: the login fails then)
     * @param channel        the server connection the login runs on
     * @param resume         how the login continues on {@code channel}'s event loop after a derivation
     */
    ServerLogin(UpstreamTarget target, Optional<byte[]> serverEndPoint, Executor work, Channel channel,
                Resume resume) {
        this.target = target;
        this.serverEndPoint = serverEndPoint;
        this.work = work;
        this.channel = channel;
        this.resume = resume;
    }

    ByteBuf startupMessage(ByteBufAllocator alloc) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", target.user());
        params.put("database", target.database());
        params.putAll(target.startupParameters());
        return new StartupMessage(StartupMessage.PROTOCOL_3_0, params).encode(alloc);
    }

    /**
     * Handles one backend message of the login phase, sending answers through {@code send}.
     *
     * @return true once the server said ReadyForQuery
     * @throws LoginFailedException when the server refuses or the exchange cannot continue
     */
    boolean handle(ByteBuf frame, ByteBufAllocator alloc, Consumer<ByteBuf> send) {
        byte tag = frame.readByte();
        frame.skipBytes(4);
        switch (tag) {
            case BackendTag.AUTHENTICATION:
                authenticate(Authentication.decode(frame), alloc, send);
                return false;
            case BackendTag.PARAMETER_STATUS:
                ParameterStatus status = ParameterStatus.decode(frame);
                parameters.put(status.name(), status.value());
                return false;
            case BackendTag.BACKEND_KEY_DATA:
                backendKey = BackendKeyData.decode(frame);
                return false;
            case BackendTag.NOTICE_RESPONSE:
            case BackendTag.NEGOTIATE_PROTOCOL_VERSION:
                return false;
            case BackendTag.ERROR_RESPONSE:
                PgError error = refusedByServer(ErrorResponse.decode(frame));
                throw new LoginFailedException(error, LoginFailedException.isRetryable(error.sqlState()));
            case BackendTag.READY_FOR_QUERY:
                return true;
            default:
                throw new ProtocolException("unexpected message '" + (char) tag + "' during upstream login");
        }
    }

    private void authenticate(Authentication request, ByteBufAllocator alloc, Consumer<ByteBuf> send) {
        switch (request.type()) {
            case Authentication.OK:
                return;
            case Authentication.CLEARTEXT_PASSWORD:
                send.accept(PasswordMessage.encode(alloc, plaintext("password").getBytes(StandardCharsets.UTF_8)));
                return;
            case Authentication.MD5_PASSWORD:
                StoredPassword stored = stored();
                send.accept(PasswordMessage.encode(alloc, stored instanceof StoredPassword.Md5
                        ? Md5Password.encodeFromHash((StoredPassword.Md5) stored, request.data())
                        : Md5Password.encode(target.user(), plaintext("md5"), request.data())));
                return;
            case Authentication.SASL:
                if (!request.saslMechanisms().contains("SCRAM-SHA-256")
                        && !request.saslMechanisms().contains(ScramSha256Server.MECHANISM_PLUS)) {
                    throw refused("the upstream offers SASL mechanisms " + request.saslMechanisms()
                            + ", but pgmux speaks only SCRAM-SHA-256 and SCRAM-SHA-256-PLUS");
                }
                scram = scramClient();
                scram.bindChannel(serverEndPoint, request.saslMechanisms());
                if (!scram.mechanism().equals(ScramSha256Server.MECHANISM_PLUS)
                        && !request.saslMechanisms().contains("SCRAM-SHA-256")) {
                    throw refused("the upstream offers only SCRAM-SHA-256-PLUS, which needs TLS with a certificate"
                            + " pgmux can bind to: set server_tls_sslmode to require or stronger");
                }
                send.accept(new SASLInitialResponse(scram.mechanism(), scram.clientFirstMessage()).encode(alloc));
                return;
            case Authentication.SASL_CONTINUE:
                requireScram();
                if (scram.keysAtHand(request.data())) {
                    send.accept(SASLResponse.encode(alloc, scramStep(() -> scram.clientFinalMessage(request.data()))));
                } else {
                    answerOffLoop(request.data(), alloc, send);
                }
                return;
            case Authentication.SASL_FINAL:
                requireScram();
                scramStep(() -> {
                    scram.verifyServerFinal(request.data());
                    return null;
                });
                return;
            default:
                throw refused("the upstream asks for authentication method " + request.type()
                        + ", which pgmux does not support (use scram-sha-256, md5 or password in pg_hba.conf)");
        }
    }

    /**
     * Computes the client-final-message on {@code work}, then sends it from the event loop, unless the channel
     * closed meanwhile (then nothing is allocated or written). A failure ends the login through {@link Resume} as a
     * failure of {@link #handle} does.
     */
    private void answerOffLoop(byte[] serverFirst, ByteBufAllocator alloc, Consumer<ByteBuf> send) {
        ScramSha256Client client = scram;
        try {
            work.execute(() -> {
                BooleanSupplier step;
                try {
                    byte[] answer = scramStep(() -> client.clientFinalMessage(serverFirst));
                    step = () -> {
                        send.accept(SASLResponse.encode(alloc, answer));
                        return false;
                    };
                } catch (RuntimeException e) {
                    step = () -> {
                        throw e;
                    };
                }
                BooleanSupplier next = step;
                try {
                    channel.eventLoop().execute(() -> {
                        if (channel.isActive()) {
                            resume.resume(next);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    // The event loop is shutting down, closing the channel with it: no login left to continue.
                }
            });
        } catch (RejectedExecutionException e) {
            throw new LoginFailedException(PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, "pgmux is busy deriving"
                    + " SCRAM keys for other logins (its queue of login work is full): try again shortly"), true);
        }
    }

    private interface ScramStep {
        byte[] run() throws AuthenticationException;
    }

    private byte[] scramStep(ScramStep step) {
        try {
            return step.run();
        } catch (AuthenticationException e) {
            throw refused("SCRAM exchange with the upstream failed: " + e.getMessage());
        }
    }

    private void requireScram() {
        if (scram == null) {
            throw new ProtocolException("SASL continuation without a SASL exchange");
        }
    }

    /** The configured password as PostgreSQL would store it: plaintext, an md5 hash or a SCRAM verifier. */
    private StoredPassword stored() {
        return StoredPassword.parse(password());
    }

    /** The password in clear, for the cleartext and md5 methods; a hash or a verifier cannot answer them. */
    private String plaintext(String method) {
        StoredPassword stored = stored();
        if (!(stored instanceof StoredPassword.Plaintext)) {
            throw refused("the upstream asks user \"" + target.user() + "\" for the " + method + " method, but"
                    + " pgmux holds only its " + (stored instanceof StoredPassword.Md5 ? "md5 hash" : "SCRAM verifier")
                    + ": configure the password in plaintext, or scram-sha-256 in the server's pg_hba.conf");
        }
        return ((StoredPassword.Plaintext) stored).password();
    }

    /**
     * A SCRAM client for the configured password; for a SCRAM verifier, SCRAM passthrough with the ClientKey a
     * client of that verifier proved (none yet: the login cannot happen until one has logged in with SCRAM).
     */
    private ScramSha256Client scramClient() {
        StoredPassword stored = stored();
        if (stored instanceof StoredPassword.ScramSha256) {
            ScramClientKey key = target.scramKeys().find((StoredPassword.ScramSha256) stored).orElseThrow(() ->
                    refused("pgmux holds only a SCRAM verifier for user \"" + target.user() + "\" and can log in"
                            + " upstream only after a client of that user has logged in with SCRAM-SHA-256"));
            return ScramSha256Client.withClientKey(key);
        }
        if (stored instanceof StoredPassword.Md5) {
            throw refused("the upstream asks user \"" + target.user() + "\" for SCRAM-SHA-256, but pgmux holds"
                    + " only its md5 hash, which cannot answer it");
        }
        // The keys are derived from the password once per salt (a PBKDF2 run), then reused by every later login.
        return ScramSha256Client.withPassword(((StoredPassword.Plaintext) stored).password(), target.scramKeys());
    }

    /** The configured password, else the one auth_query found for a user that is not configured. */
    private String password() {
        if (target.password() == null) {
            Optional<StoredPassword> found = target.scramKeys().found(target.address(), target.user());
            if (found.isPresent()) {
                return text(found.get());
            }
            throw refused("the upstream asks for a password for user \"" + target.user()
                    + "\", but none is configured: set users[].password (or databases." + "<name>.password)");
        }
        return target.password();
    }

    private static String text(StoredPassword password) {
        if (password instanceof StoredPassword.Plaintext) {
            return ((StoredPassword.Plaintext) password).password();
        }
        if (password instanceof StoredPassword.Md5) {
            return ((StoredPassword.Md5) password).hash();
        }
        return ((StoredPassword.ScramSha256) password).text();
    }

    /**
     * The server's refusal as a client gets it: its SQLSTATE and message unchanged, with a DETAIL saying that it
     * refused pgmux's own login (PostgreSQL's "password authentication failed" would otherwise read as the client's
     * password being wrong, though pgmux had accepted it, or had not asked yet) and, for an authorization failure
     * (class 28), a HINT.
     */
    private PgError refusedByServer(PgError error) {
        String whose = "The database at " + target.address() + " refused pgmux's own login as user \""
                + target.user() + "\" to database \"" + target.database() + "\"; the client's login to pgmux is not"
                + " what failed.";
        PgError told = error.withDetail(error.detail() == null ? whose : error.detail() + "\n" + whose);
        if (TlsRequiredRefusal.is(error)) {
            // Not the role or its password: the generic hint below would send the operator the wrong way.
            String hint = TlsRequiredRefusal.hint(target.tls().sslmode());
            told = told.withHint(error.hint() == null ? hint : hint + "\n" + error.hint());
        } else if (error.hint() == null && error.sqlState().startsWith("28")) {
            told = told.withHint("Check that role \"" + target.user() + "\" exists in the database and that its"
                    + " password there is the one pgmux logs in with (the user's password or server_password in"
                    + " pgmux.yaml).");
        }
        return told;
    }

    private static LoginFailedException refused(String message) {
        return new LoginFailedException(PgError.fatal(SqlState.INVALID_PASSWORD, message), false);
    }

    Map<String, String> parameters() {
        return parameters;
    }

    BackendKeyData backendKey() {
        return backendKey;
    }
}
