package io.pgmux.cli.env;

import io.pgmux.config.AuthType;
import io.pgmux.config.ConfigException;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.ConfigProblem;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.FileErrors;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.UserConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The configuration for one database that the {@code PGMUX_*} variables ({@link EnvVariable}) describe: the shape
 * of a sidecar, where an app talks to one database through pgmux.
 *
 * <ul>
 *   <li>{@code PGMUX_DATABASE_URL} gives the server and the login pgmux uses there: its user and password become
 *       the database's {@code user} and {@code password}, so every server connection logs in as that role
 *       (PgBouncer's {@code user=} in {@code [databases]}).</li>
 *   <li>Clients log in as the users of {@code PGMUX_USERS} or {@code PGMUX_USERS_FILE}; with neither, as the URL's
 *       user with the URL's password, so an app can keep its credentials and change only host and port.</li>
 *   <li>Clients ask for the database by {@code PGMUX_DATABASE_NAME}, by default the URL's database name.</li>
 *   <li>{@code PGMUX_FLEET_NAME} enables {@code fleet:} with that name, so that every replica started with the same
 *       variables shares one budget; the other {@code PGMUX_FLEET_*} variables need it.</li>
 * </ul>
 *
 * The result is checked with the configuration loader before anyone sees it, and its problems are reported
 * against the variables they came from.
 */
public final class EnvironmentConfig {
    private static final String SOURCE = "the generated configuration";
    private static final String HEADER = "Written by pgmux config-from-env from the PGMUX_* environment variables.\n"
            + "The container image writes it again at every start: to change it, change the variables, or mount a"
            + " file at /etc/pgmux/pgmux.yaml.";

    private final String yaml;
    private final String summary;

    private EnvironmentConfig(String yaml, String summary) {
        this.yaml = yaml;
        this.summary = summary;
    }

    /**
     * Builds the configuration from {@code env}; files a variable names ({@code PGMUX_USERS_FILE}) are read from
     * disk.
     *
     * @throws EnvConfigException listing every problem, each naming its variable and none showing a password
     */
    public static EnvironmentConfig from(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Optional<DatabaseUrl> url = databaseUrl(env, problems);
        List<ClientLogin> logins = clientLogins(env, url, problems);
        Optional<String> name = EnvVariable.DATABASE_NAME.in(env).or(() -> url.flatMap(DatabaseUrl::effectiveDbname));
        if (url.isPresent() && name.isEmpty()) {
            problems.add(EnvVariable.DATABASE_URL.variable() + " names neither a database nor a user; add /dbname"
                    + " to it or set " + EnvVariable.DATABASE_NAME.variable());
        }
        requireFleetName(env, problems);
        if (!problems.isEmpty()) {
            throw new EnvConfigException(problems);
        }

        Map<String, EnvVariable> sources = new LinkedHashMap<>();
        Map<String, Object> tree = tree(env, url.get(), name.get(), logins, sources);
        String yaml = ConfigYaml.render(HEADER, tree);
        PgmuxConfig config;
        try {
            config = ConfigLoader.parse(yaml, SOURCE, Map.of());
        } catch (ConfigException e) {
            throw new EnvConfigException(e.problems().stream().map(p -> blame(p, sources)).collect(Collectors.toList()));
        }
        requirePasswords(config, env, problems);
        if (!problems.isEmpty()) {
            throw new EnvConfigException(problems);
        }
        return new EnvironmentConfig(yaml, summary(config, url.get()));
    }

    /** The YAML file, passwords included. */
    public String yaml() {
        return yaml;
    }

    /** One line for the log: what pgmux will connect to and who may log in, without any password. */
    public String summary() {
        return summary;
    }

    private static Optional<DatabaseUrl> databaseUrl(Map<String, String> env, List<String> problems) {
        String variable = EnvVariable.DATABASE_URL.variable();
        Optional<String> text = EnvVariable.DATABASE_URL.in(env);
        if (text.isEmpty()) {
            problems.add(variable + " is not set; set it to postgres://user:password@host:5432/dbname, or mount a"
                    + " configuration file");
            return Optional.empty();
        }
        DatabaseUrl url;
        try {
            url = DatabaseUrl.parse(text.get());
        } catch (IllegalArgumentException e) {
            problems.add(variable + " " + e.getMessage());
            return Optional.empty();
        }
        if (url.sslMode() == SslMode.VERIFY_CA && url.sslRootCert().isEmpty()) {
            // libpq would read ~/.postgresql/root.crt; the container has none, and verify-ca has nothing else.
            problems.add(variable + " asks for sslmode=verify-ca, which checks the server's certificate against"
                    + " your CA: add &sslrootcert=/path/to/ca.pem (a file mounted into the container)");
            return Optional.empty();
        }
        return Optional.of(url);
    }

    private static List<ClientLogin> clientLogins(Map<String, String> env, Optional<DatabaseUrl> url,
                                                  List<String> problems) {
        Optional<String> list = EnvVariable.USERS.in(env);
        Optional<String> file = EnvVariable.USERS_FILE.in(env);
        try {
            if (list.isPresent() && file.isPresent()) {
                problems.add("set " + EnvVariable.USERS.variable() + " or " + EnvVariable.USERS_FILE.variable()
                        + ", not both");
            } else if (list.isPresent()) {
                return ClientLogins.fromList(list.get());
            } else if (file.isPresent()) {
                return ClientLogins.fromFile(read(file.get()));
            } else if (url.isPresent()) {
                if (url.get().user().isEmpty()) {
                    problems.add(EnvVariable.DATABASE_URL.variable() + " names no user, and " + EnvVariable.USERS
                            .variable() + " is not set: there is nobody clients could log in as");
                } else {
                    return List.of(new ClientLogin(url.get().user().get(), url.get().password()));
                }
            }
        } catch (IllegalArgumentException e) {
            problems.add((list.isPresent() ? EnvVariable.USERS : EnvVariable.USERS_FILE).variable() + ": "
                    + e.getMessage());
        }
        return List.of();
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(FileErrors.cannotRead(Path.of(file), e));
        }
    }

    private static Map<String, Object> tree(Map<String, String> env, DatabaseUrl url, String name,
                                            List<ClientLogin> logins, Map<String, EnvVariable> sources) {
        Map<String, Object> tree = new LinkedHashMap<>();
        section(tree, "listen", env, sources, EnvVariable.LISTEN_HOST, EnvVariable.LISTEN_PORT);
        put(tree, "pool_mode", env, sources, EnvVariable.POOL_MODE);
        put(tree, "auth_type", env, sources, EnvVariable.AUTH_TYPE);
        put(tree, "default_pool_size", env, sources, EnvVariable.POOL_SIZE);
        put(tree, "max_client_connections", env, sources, EnvVariable.MAX_CLIENT_CONNECTIONS);

        Map<String, Object> database = new LinkedHashMap<>();
        database.put("host", url.host());
        database.put("port", url.port());
        database.put("dbname", url.effectiveDbname().orElse(name));
        url.user().ifPresent(user -> database.put("user", user));
        url.password().ifPresent(password -> database.put("password", password));
        database.put("server_tls_sslmode", url.sslMode().libpqName());
        url.sslRootCert().ifPresent(file -> database.put("server_tls_ca_file", file));
        String path = "databases." + name;
        sources.put(path, EnvVariable.DATABASE_NAME.in(env).isPresent() ? EnvVariable.DATABASE_NAME
                : EnvVariable.DATABASE_URL);
        sources.put(path + ".host", EnvVariable.DATABASE_URL);
        sources.put(path + ".dbname", EnvVariable.DATABASE_URL);
        sources.put(path + ".server_tls_sslmode", EnvVariable.DATABASE_URL);
        sources.put(path + ".server_tls_ca_file", EnvVariable.DATABASE_URL);
        EnvVariable.MAX_DB_CONNECTIONS.in(env).ifPresent(value -> {
            database.put("max_connections", scalar(value));
            sources.put(path + ".max_connections", EnvVariable.MAX_DB_CONNECTIONS);
        });
        tree.put("databases", Map.of(name, database));

        EnvVariable usersFrom = EnvVariable.USERS.in(env).isPresent() ? EnvVariable.USERS
                : EnvVariable.USERS_FILE.in(env).isPresent() ? EnvVariable.USERS_FILE : EnvVariable.DATABASE_URL;
        List<Object> users = new ArrayList<>();
        for (ClientLogin login : logins) {
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("name", login.name());
            login.password().ifPresent(password -> user.put("password", password));
            users.add(user);
        }
        tree.put("users", users);
        sources.put("users", usersFrom);

        Map<String, Object> admin = new LinkedHashMap<>();
        list(admin, "users", env, sources, EnvVariable.ADMIN_USERS);
        list(admin, "stats_users", env, sources, EnvVariable.STATS_USERS);
        if (!admin.isEmpty()) {
            tree.put("admin", admin);
        }
        section(tree, "metrics", env, sources, EnvVariable.METRICS_HOST, EnvVariable.METRICS_PORT);
        fleet(tree, env, sources);
        return tree;
    }

    /**
     * {@code fleet: {enabled: true, name, ...}} when {@code PGMUX_FLEET_NAME} is set. The name and the instance id
     * stay text even when they look like numbers (a replica's ordinal often does).
     */
    private static void fleet(Map<String, Object> tree, Map<String, String> env, Map<String, EnvVariable> sources) {
        Optional<String> name = EnvVariable.FLEET_NAME.in(env);
        if (name.isEmpty()) {
            return;
        }
        Map<String, Object> fleet = new LinkedHashMap<>();
        fleet.put("enabled", true);
        fleet.put("name", name.get());
        sources.put("fleet", EnvVariable.FLEET_NAME);
        sources.put(EnvVariable.FLEET_NAME.configKey(), EnvVariable.FLEET_NAME);
        EnvVariable.FLEET_INSTANCE_ID.in(env).ifPresent(id -> {
            fleet.put("instance_id", id);
            sources.put(EnvVariable.FLEET_INSTANCE_ID.configKey(), EnvVariable.FLEET_INSTANCE_ID);
        });
        put(fleet, "min_leases", env, sources, EnvVariable.FLEET_MIN_LEASES);
        put(fleet, "lease_idle_timeout", env, sources, EnvVariable.FLEET_LEASE_IDLE_TIMEOUT);
        put(fleet, "rebalance_interval", env, sources, EnvVariable.FLEET_REBALANCE_INTERVAL);
        put(fleet, "lease_reclaim_timeout", env, sources, EnvVariable.FLEET_LEASE_RECLAIM_TIMEOUT);
        tree.put("fleet", fleet);
    }

    /** A fleet setting without a fleet to apply to would be silently ignored: refuse it instead. */
    private static void requireFleetName(Map<String, String> env, List<String> problems) {
        if (EnvVariable.FLEET_NAME.in(env).isPresent()) {
            return;
        }
        List<String> orphans = List.of(EnvVariable.FLEET_INSTANCE_ID, EnvVariable.FLEET_MIN_LEASES,
                        EnvVariable.FLEET_LEASE_IDLE_TIMEOUT, EnvVariable.FLEET_REBALANCE_INTERVAL,
                        EnvVariable.FLEET_LEASE_RECLAIM_TIMEOUT).stream()
                .filter(variable -> variable.in(env).isPresent())
                .map(EnvVariable::variable)
                .collect(Collectors.toList());
        if (!orphans.isEmpty()) {
            problems.add(String.join(", ", orphans) + (orphans.size() == 1 ? " is" : " are") + " set but "
                    + EnvVariable.FLEET_NAME.variable() + " is not: set it to the fleet's name (the same on every"
                    + " instance) to share the budgets, or unset the fleet variables");
        }
    }

    /** A section such as {@code listen: {host, port}}, present only when one of its variables is set. */
    private static void section(Map<String, Object> tree, String key, Map<String, String> env,
                                Map<String, EnvVariable> sources, EnvVariable... variables) {
        Map<String, Object> section = new LinkedHashMap<>();
        for (EnvVariable variable : variables) {
            String child = variable.configKey().substring(key.length() + 1);
            put(section, child, env, sources, variable);
        }
        if (!section.isEmpty()) {
            tree.put(key, section);
        }
    }

    /** A list from a comma-separated variable, e.g. {@code PGMUX_ADMIN_USERS=ops,alice}; blanks around names go. */
    private static void list(Map<String, Object> map, String key, Map<String, String> env,
                             Map<String, EnvVariable> sources, EnvVariable variable) {
        variable.in(env).ifPresent(value -> {
            List<String> names = new ArrayList<>();
            for (String each : value.split(",")) {
                if (!each.isBlank()) {
                    names.add(each.strip());
                }
            }
            map.put(key, names);
            sources.put(variable.configKey(), variable);
        });
    }

    private static void put(Map<String, Object> map, String key, Map<String, String> env,
                            Map<String, EnvVariable> sources, EnvVariable variable) {
        variable.in(env).ifPresent(value -> {
            map.put(key, scalar(value));
            sources.put(variable.configKey(), variable);
        });
    }

    /**
     * An integer when the text is one, so the file reads naturally; anything else stays text for the loader to
     * judge, which reads values from their text either way and so reports the same problem.
     */
    private static Object scalar(String value) {
        if (value.matches("[+-]?\\d{1,9}")) {
            return Integer.parseInt(value);
        }
        return value;
    }

    /** The problem as the operator should read it: against the variable that produced the value. */
    private static String blame(ConfigProblem problem, Map<String, EnvVariable> sources) {
        String path = problem.path();
        while (!path.isEmpty()) {
            EnvVariable variable = sources.get(path);
            if (variable != null) {
                return variable.variable() + ": " + problem.message();
            }
            int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
            path = cut < 0 ? "" : path.substring(0, cut);
        }
        return problem.toString();
    }

    /** A client login without a password could never log in, unless clients are trusted. */
    private static void requirePasswords(PgmuxConfig config, Map<String, String> env, List<String> problems) {
        if (config.authType() == AuthType.TRUST) {
            return;
        }
        List<String> without = config.users().values().stream()
                .filter(user -> user.password().isEmpty())
                .map(UserConfig::name)
                .collect(Collectors.toList());
        if (without.isEmpty()) {
            return;
        }
        boolean fromUrl = EnvVariable.USERS.in(env).isEmpty() && EnvVariable.USERS_FILE.in(env).isEmpty();
        problems.add(fromUrl
                ? EnvVariable.DATABASE_URL.variable() + " has no password, so its user could not log in to pgmux"
                        + " with auth_type " + config.authType().configName() + "; add one, list client logins in "
                        + EnvVariable.USERS.variable() + ", or set " + EnvVariable.AUTH_TYPE.variable() + "=trust"
                : "users without a password could not log in with auth_type " + config.authType().configName()
                        + ": " + String.join(", ", without) + "; give them one (name:password) or set "
                        + EnvVariable.AUTH_TYPE.variable() + "=trust");
    }

    private static String summary(PgmuxConfig config, DatabaseUrl url) {
        DatabaseConfig database = config.databases().values().iterator().next();
        String target = database.host().indexOf(':') >= 0 ? "[" + database.host() + "]" : database.host();
        return "database \"" + database.name() + "\" -> " + target + ":" + database.port() + "/" + database.dbname()
                + database.user().map(user -> " as \"" + user + "\"").orElse(" as each client's own user")
                + " (sslmode " + url.sslMode().libpqName() + url.sslRootCert().map(f -> ", CAs in " + f).orElse("")
                + ")"
                + "; client logins: " + String.join(", ", config.users().keySet())
                + "; listening on " + config.listen().host() + ":" + config.listen().port()
                + ", pool_mode " + config.poolMode().configName()
                + ", default_pool_size " + config.defaultPoolSize()
                + (config.metrics().enabled()
                        ? ", metrics on " + config.metrics().host() + ":" + config.metrics().port() : "")
                + (config.fleet().enabled() ? ", fleet \"" + config.fleet().name() + "\"" : "");
    }
}
