package io.pgmux.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks across sections that authentication and TLS settings fit together, so a combination that would refuse
 * every login of some kind is an error at start rather than a mystery at the first connection.
 */
final class AuthChecks {
    private static final String CERT_NEEDS = "cert authentication needs client certificates: set"
            + " client_tls_sslmode (not disable), its certificate and key, and client_tls_ca_file (the CA that signs"
            + " client certificates)";
    private static final String PASSWORD_NEEDS = "the password method sends the password in cleartext and is"
            + " refused on connections without TLS, and with client_tls_sslmode disable no connection has TLS:"
            + " enable client TLS, or set allow_password_without_tls: true";

    private final YamlMap top;
    private final NodeReader reader;
    private final String source;
    private final DatabasesBinder.Result databases;
    private final UsersBinder.Result users;
    private final ClientTlsConfig clientTls;
    /** No client can present a certificate, so {@code cert} would refuse everyone. */
    private final boolean certRefused;
    /** No client can have TLS and cleartext is not allowed, so {@code password} would refuse everyone. */
    private final boolean passwordRefused;

    AuthChecks(YamlMap top, NodeReader reader, String source, DatabasesBinder.Result databases,
               UsersBinder.Result users, ClientTlsConfig clientTls, boolean allowPasswordWithoutTls) {
        this.top = top;
        this.reader = reader;
        this.source = source;
        this.databases = databases;
        this.users = users;
        this.clientTls = clientTls;
        // Settings that were bad are reported already; judging what they would have allowed only adds noise.
        boolean tlsRead = !top.failed("client_tls_sslmode", "client_tls_cert_file", "client_tls_key_file");
        boolean tlsOff = clientTls.sslmode() == SslMode.DISABLE;
        this.certRefused = tlsRead && !top.failed("client_tls_ca_file")
                && (tlsOff || clientTls.caFile().isEmpty());
        this.passwordRefused = tlsRead && tlsOff && !allowPasswordWithoutTls;
    }

    void check(AuthType globalAuthType, Optional<AccessRules> hba, AuthQueryBinder.Globals authQuery) {
        if (hba.isPresent()) {
            String ignored = "has no effect: the access rules (" + (top.has("hba") ? "hba" : "hba_file")
                    + ") decide the method; remove auth_type or the rules";
            if (top.has("auth_type") && !top.failed("auth_type")) {
                top.problem("auth_type", ignored);
            }
            sectionsWith(databases.sections(), "auth_type").forEach(m -> m.problem("auth_type", ignored));
            sectionsWith(users.sections(), "auth_type").forEach(m -> m.problem("auth_type", ignored));
            checkRules(hba.get());
        } else {
            if (top.has("auth_type")) {
                checkAuthType(top, globalAuthType);
            }
            databases.sections().forEach((name, m) -> databases.databases().get(name).authType()
                    .ifPresent(type -> checkAuthType(m, type)));
            users.sections().forEach((name, m) -> users.users().get(name).authType()
                    .ifPresent(type -> checkAuthType(m, type)));
        }
        checkAuthQuery(authQuery);
    }

    /** Reports cert or password written as {@code m}'s auth_type where they could never succeed. */
    private void checkAuthType(YamlMap m, AuthType type) {
        if (type == AuthType.CERT && certRefused) {
            m.problem("auth_type", CERT_NEEDS);
        }
        if (type == AuthType.PASSWORD && passwordRefused) {
            m.problem("auth_type", PASSWORD_NEEDS);
        }
    }

    private void checkRules(AccessRules rules) {
        List<HbaRule> list = rules.rules();
        for (int i = 0; i < list.size(); i++) {
            HbaRule rule = list.get(i);
            // A rule that can never match is reported as such, not also for what its method would need.
            if (rule.type() == HbaConnectionType.HOSTSSL && clientTls.sslmode() == SslMode.DISABLE) {
                if (!top.failed("client_tls_sslmode")) {
                    ruleProblem(rules, i, "a hostssl rule can never match: client_tls_sslmode is disable");
                }
                continue;
            }
            if (rule.type() == HbaConnectionType.HOSTNOSSL && clientTls.sslmode().requiresTls()) {
                ruleProblem(rules, i, "a hostnossl rule can never match: client_tls_sslmode "
                        + clientTls.sslmode().configName() + " refuses connections without TLS");
                continue;
            }
            if (rule.method() == AuthType.CERT && certRefused) {
                ruleProblem(rules, i, CERT_NEEDS);
            }
            if (rule.method() == AuthType.PASSWORD && rule.type() != HbaConnectionType.HOSTSSL && passwordRefused) {
                ruleProblem(rules, i, PASSWORD_NEEDS);
            }
        }
    }

    private void ruleProblem(AccessRules rules, int index, String message) {
        HbaRule rule = rules.rules().get(index);
        if (rules.source().equals(source)) {
            reader.problems().add("hba[" + index + "]", rule.line(), message);
        } else {
            reader.problems().addIn(rules.source(), "", rule.line(), message);
        }
    }

    private void checkAuthQuery(AuthQueryBinder.Globals globals) {
        boolean anyUser = globals.user().isPresent()
                || !sectionsWith(databases.sections(), "auth_user").isEmpty();
        if (!anyUser) {
            for (String key : new String[] {"auth_query", "auth_dbname"}) {
                if (top.has(key) && !top.failed(key)) {
                    top.problem(key, "has no effect without auth_user: set the user pgmux runs the query as");
                }
            }
            return;
        }
        globals.user().ifPresent(user -> checkAuthUser(top, user));
        globals.dbname().ifPresent(db -> checkAuthDbname(top, db));
        for (Map.Entry<String, YamlMap> entry : databases.sections().entrySet()) {
            YamlMap m = entry.getValue();
            DatabaseConfig db = databases.databases().get(entry.getKey());
            if (m.has("auth_user") && !m.failed("auth_user")) {
                db.authQuery().ifPresent(q -> checkAuthUser(m, q.user()));
            }
            if (m.has("auth_dbname") && !m.failed("auth_dbname")) {
                db.authQuery().flatMap(AuthQueryConfig::dbname).ifPresent(name -> checkAuthDbname(m, name));
            }
        }
    }

    /** The auth_user logs in itself, so it needs a password that can: not a SCRAM verifier alone. */
    private void checkAuthUser(YamlMap m, String user) {
        UserConfig config = users.users().get(user);
        if (config == null) {
            m.problem("auth_user", References.undefined("user", user, "users", users.users().keySet())
                    + "; pgmux logs in as it to run auth_query, so it needs an entry with its password");
            return;
        }
        boolean verifierOnly = config.serverPassword().isEmpty() && config.storedPassword()
                .map(p -> p.kind() == StoredPassword.Kind.SCRAM_SHA_256).orElse(false);
        if (verifierOnly) {
            m.problem("auth_user", "user \"" + user + "\" has only a SCRAM verifier, which cannot log in to run"
                    + " auth_query; give its password in plaintext (password or server_password)");
        }
    }

    private void checkAuthDbname(YamlMap m, String dbname) {
        if (!databases.databases().containsKey(dbname)) {
            m.problem("auth_dbname", References.undefined("database", dbname, "databases",
                    databases.databases().keySet()));
        }
    }

    private static List<YamlMap> sectionsWith(Map<String, YamlMap> sections, String key) {
        return sections.values().stream().filter(m -> m.has(key) && !m.failed(key)).toList();
    }
}
