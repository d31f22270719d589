package io.pgmux.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code users}, a YAML list rather than a mapping so each entry reads like a record ({@code - name: api}).
 * Checks names are unique, tenants exist and passwords are in a form pgmux can use.
 */
final class UsersBinder {
    /** The users, and each one's mapping for checks that report at the user's own keys. */
    record Result(Map<String, UserConfig> users, Map<String, YamlMap> sections) {
    }

    private UsersBinder() {
    }

    static Result bind(YamlMap top, NodeReader reader, Set<String> tenants) {
        List<Node> items = top.list("users", "a list of users, each like \"- name: api\"");
        Map<String, UserConfig> users = new LinkedHashMap<>();
        Map<String, YamlMap> sections = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            YamlMap m = reader.map(item, top.pathOf("users") + "[" + i + "]", Problems.lineOf(item));
            Optional<String> name = m.required("name", ValueType.nonEmptyString());
            Optional<String> password = m.get("password", ValueType.password());
            Optional<String> tenant = m.get("tenant", ValueType.nonEmptyString());
            Optional<PoolMode> poolMode = m.get("pool_mode", ValueType.poolMode());
            Optional<PinningPolicy> pinning = m.get("pinning", ValueType.pinning());
            Optional<AuthType> authType = m.get("auth_type", ValueType.authType());
            Optional<String> serverUser = m.get("server_user", ValueType.nonEmptyString());
            Optional<String> serverPassword = m.get("server_password", ValueType.serverPassword());
            m.rejectUnknownKeys(PgBouncerNames.Section.USER);

            tenant.filter(t -> !tenants.contains(t))
                    .ifPresent(t -> m.problem("tenant", References.undefined("tenant", t, "tenants", tenants)));
            if (name.isEmpty()) {
                continue;
            }
            Integer earlier = firstLine.putIfAbsent(name.get(), m.lineOf("name"));
            if (earlier != null) {
                m.problem("name", "duplicate user \"" + name.get() + "\"; first defined at line " + earlier);
            } else {
                users.put(name.get(), new UserConfig(name.get(), password, tenant, poolMode, pinning, authType,
                        serverUser, serverPassword));
                sections.put(name.get(), m);
            }
        }
        return new Result(users, sections);
    }
}
