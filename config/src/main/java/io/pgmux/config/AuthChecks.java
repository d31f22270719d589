package io.pgmux.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks across sections that authentication and TLS settings fit together, so a combination that would refuse
 * every login of some kind is an error at start rather than a mystery at the first connection.
 */
final class AuthChecks {
    private final YamlMap top;
    private final NodeReader reader;
    private final String source;
    private final DatabasesBinder.Result databases;
    private final UsersBinder.Result users;

    AuthChecks(YamlMap top, NodeReader reader, String source, DatabasesBinder.Result databases,
               UsersBinder.Result users) {
        this.top = top;
        this.reader = reader;
        this.source = source;
        this.databases = databases;
        this.users = users;
    }

    void check(AuthType globalAuthType, boolean allowPasswordWithoutTls, Optional<AccessRules> hba,
               ClientTlsConfig clientTls, AuthQueryBinder.Globals authQuery) {
        boolean tlsUsable = !top.failed("client_tls_sslmode", "client_tls_cert_file", "client_tls_key_file");
        boolean caUsable = tlsUsable && !top.failed("client_tls_ca_file");
        boolean certUsable = clientTls.sslmode() != SslMode.DISABLE && clientTls.caFile().isPresent();
        boolean tlsOff = clientTls.sslmode() == SslMode.DISABLE;
        String certNeeds = "cert authentication needs client certificates: set client_tls_sslmode (not disable),"
                + " its certificate and key, and client_tls_ca_file (the CA that signs client certificates)";
        String passwordNeeds = "the password method sends the password in cleartext and is refused on connections"
                + " without TLS, and with client_tls_sslmode disable no connection has TLS: enable client TLS, or"
                + " set allow_password_without_tls: true";

        if (hba.isPresent()) {
            String ignored = "has no effect: the access rules (" + (top.has("hba") ? "hba" : "hba_file")
                    + ") decide the method; remove auth_type or the rules";
            if (top.has("auth_type") && !top.failed("auth_type")) {
                top.problem("auth_type", ignored);
            }
            sectionsWith(databases.sections(), "auth_type").forEach(m -> m.problem("auth_type", ignored));
            sectionsWith(users.sections(), "auth_type").forEach(m -> m.problem("auth_type", ignored));
            checkRules(hba.get(), clientTls, caUsable && !certUsable, certNeeds,
                    tlsUsable && tlsOff && !allowPasswordWithoutTls, passwordNeeds);
        } else {
            boolean certRefused = caUsable && !certUsable;
            boolean passwordRefused = tlsUsable && tlsOff && !allowPasswordWithoutTls;
            if (top.has("auth_type")) {
                authType(top, globalAuthType, certRefused, certNeeds, passwordRefused, passwordNeeds);
            }
            databases.sections().forEach((name, m) -> databases.databases().get(name).authType().ifPresent(
                    type -> authType(m, type, certRefused, certNeeds, passwordRefused, passwordNeeds)));
            users.sections().forEach((name, m) -> users.users().get(name).authType().ifPresent(
                    type -> authType(m, type, certRefused, certNeeds, passwordRefused, passwordNeeds)));
        }
        checkAuthQuery(authQuery);
    }

    /** Reports cert or password written as {@code m}'s auth_type where they could never succeed. */
    private static void authType(YamlMap m, AuthType type, boolean certRefused, String certNeeds,
                                 boolean passwordRefused, String passwordNeeds) {
        if (type == AuthType.CERT && certRefused) {
            m.problem("auth_type", certNeeds);
        }
        if (type == AuthType.PASSWORD && passwordRefused) {
            m.problem("auth_type", passwordNeeds);
        }
    }

    private void checkRules(AccessRules rules, ClientTlsConfig clientTls, boolean certRefused, String certNeeds, boolean passwordRefused, String passwordNeeds) {
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
                ruleProblem(rules, i, certNeeds);
            }
            if (rule.method() == AuthType.PASSWORD && rule.type() != HbaConnectionType.HOSTSSL && passwordRefused) {
                ruleProblem(rules, i, passwordNeeds);
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
