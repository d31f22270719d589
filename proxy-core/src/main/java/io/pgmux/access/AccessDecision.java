package io.pgmux.access;

import io.pgmux.config.AuthType;
import io.pgmux.protocol.PgError;
import java.util.Objects;

/** What {@link AccessPolicy} decided for one login attempt. */
public sealed interface AccessDecision permits AccessDecision.Proceed, AccessDecision.Challenge,
        AccessDecision.Refuse {
    /**
     * Why, for the operator's log: the rule that matched ({@code pg_hba.conf line 3}) or the setting that applied
     * ({@code auth_type of database app}), or the reason for a refusal.
     */
    String reason();

    /**
     * The client is authenticated without a password: {@code trust}, or {@code cert} with a certificate whose CN
     * is the user. Send AuthenticationOk.
     */
    record Proceed(AuthType method, String reason) implements AccessDecision {
        public Proceed {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(reason, "reason");
            if (method != AuthType.TRUST && method != AuthType.CERT) {
                throw new IllegalArgumentException(method + " needs a password exchange");
            }
        }
    }

    /**
     * The client must prove a password with {@code method} (password, md5 or scram-sha-256); which exchange
     * exactly then depends on the stored password ({@link io.pgmux.auth.PasswordChallenge#choose}).
     */
    record Challenge(AuthType method, String reason) implements AccessDecision {
        public Challenge {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(reason, "reason");
            if (!method.usesPassword()) {
                throw new IllegalArgumentException(method + " is not a password method");
            }
        }
    }

    /** The client is refused: send {@code error} (FATAL) and close, before any server connection is opened. */
    record Refuse(PgError error, String reason) implements AccessDecision {
        public Refuse {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
