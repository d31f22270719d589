package io.pgmux.access;

import io.pgmux.config.AccessRules;
import io.pgmux.config.AuthType;
import io.pgmux.config.ConnectionEncryption;
import io.pgmux.config.HbaRule;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.SslMode;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides, for one login attempt, how the client must authenticate or why it is refused, in this order:
 * <ol>
 *   <li>{@code client_tls_sslmode} require, verify-ca or verify-full refuses a connection without TLS, with
 *       PostgreSQL's message for a hostssl-only server ({@code no pg_hba.conf entry ..., no encryption});
 *   <li>the method: the first matching access rule when {@code hba}/{@code hba_file} is configured (no match:
 *       refused as by PostgreSQL), else the user's, the database's or the global {@code auth_type};
 *   <li>{@code verify-full} refuses a certificate whose CN is not the user (PostgreSQL's
 *       {@code clientcert=verify-full});
 *   <li>{@code reject} refuses; {@code password} without TLS is refused unless {@code allow_password_without_tls};
 *       {@code cert} needs a certificate naming the user; {@code trust} proceeds; the others challenge.
 * </ol>
 * Every refusal comes before a password is asked for and before any server connection exists.
 */
public final class AccessPolicy {
    private final PgmuxConfig config;

    public AccessPolicy(PgmuxConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public AccessDecision decide(LoginAttempt attempt) {
        boolean tls = attempt.encryption() == ConnectionEncryption.TLS;
        SslMode clientMode = config.clientTls().sslmode();
        if (clientMode.requiresTls() && !tls) {
            return new AccessDecision.Refuse(AccessErrors.noHbaEntry(attempt),
                    "client_tls_sslmode " + clientMode.configName() + " refuses connections without TLS");
        }

        AuthType method;
        String reason;
        Optional<AccessRules> rules = config.hba();
        if (rules.isPresent()) {
            Optional<HbaRule> rule = rules.get().firstMatch(attempt.encryption(), attempt.database(),
                    attempt.user(), attempt.address());
            if (rule.isEmpty()) {
                return new AccessDecision.Refuse(AccessErrors.noHbaEntry(attempt),
                        "no rule in " + rules.get().source() + " matches");
            }
            method = rule.get().method();
            reason = rules.get().source() + " line " + rule.get().line();
        } else {
            method = config.authTypeFor(attempt.database(), attempt.user());
            reason = "auth_type " + method.configName() + " of " + authTypeSource(attempt);
        }

        if (clientMode == SslMode.VERIFY_FULL && attempt.clientCertificate()
                .filter(cert -> ClientCertificates.namesUser(cert, attempt.user())).isEmpty()) {
            return new AccessDecision.Refuse(AccessErrors.certificateCnMismatch(attempt.user()),
                    "client_tls_sslmode verify-full: the client certificate's CN is not the user name");
        }

        switch (method) {
            case REJECT:
                return new AccessDecision.Refuse(AccessErrors.hbaRejects(attempt), reason + " rejects it");
            case TRUST:
                return new AccessDecision.Proceed(method, reason);
            case CERT:
                if (attempt.clientCertificate().isEmpty()) {
                    return new AccessDecision.Refuse(AccessErrors.certificateRequired(),
                            reason + " requires a client certificate and none was presented");
                }
                if (!ClientCertificates.namesUser(attempt.clientCertificate().get(), attempt.user())) {
                    return new AccessDecision.Refuse(AccessErrors.certificateFailed(attempt.user()),
                            reason + ": the client certificate's CN is not the user name");
                }
                return new AccessDecision.Proceed(method, reason);
            case PASSWORD:
                if (!tls && !config.allowPasswordWithoutTls()) {
                    return new AccessDecision.Refuse(AccessErrors.passwordNeedsTls(attempt),
                            reason + " without TLS, and allow_password_without_tls is off");
                }
                return new AccessDecision.Challenge(method, reason);
            default:
                return new AccessDecision.Challenge(method, reason);
        }
    }

    private String authTypeSource(LoginAttempt attempt) {
        if (config.user(attempt.user()).flatMap(u -> u.authType()).isPresent()) {
            return "user " + attempt.user();
        }
        if (config.database(attempt.database()).flatMap(d -> d.authType()).isPresent()) {
            return "database " + attempt.database();
        }
        return "the configuration";
    }
}
