package io.pgmux.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Reads {@code tenants}: named budgets of server connections, and checks each budget is self-consistent. */
final class TenantsBinder {
    private static final Duration DEFAULT_RESERVE_POOL_TIMEOUT = Duration.ofSeconds(5);
    private static final ValueType<Integer> COUNT = ValueType.integer(0, Integer.MAX_VALUE);
    private static final ValueType<Integer> POSITIVE = ValueType.integer(1, Integer.MAX_VALUE);

    private TenantsBinder() {
    }

    /**
     * Every named tenant is returned even when some of its values are bad (they fall back to defaults), so that
     * users referring to it are not also reported as referring to an undefined tenant.
     */
    static Map<String, TenantConfig> bind(YamlMap top, int defaultPoolSize) {
        YamlMap section = top.map("tenants");
        Map<String, TenantConfig> tenants = new LinkedHashMap<>();
        for (String name : section.named().keySet()) {
            if (name.isEmpty()) {
                section.problem(name, "a tenant name must not be empty");
            } else {
                tenants.put(name, tenant(name, section.map(name), defaultPoolSize));
            }
        }
        return tenants;
    }

    private static TenantConfig tenant(String name, YamlMap m, int defaultPoolSize) {
        boolean poolSizeWritten = m.has("pool_size");
        int poolSize = m.get("pool_size", POSITIVE, defaultPoolSize);
        int minPoolSize = m.get("min_pool_size", COUNT, 0);
        int reservePoolSize = m.get("reserve_pool_size", COUNT, 0);
        Duration reservePoolTimeout = m.get("reserve_pool_timeout", ValueType.duration(), DEFAULT_RESERVE_POOL_TIMEOUT);
        Optional<Integer> maxServer = m.get("max_server_connections", POSITIVE);
        int maxClient = m.get("max_client_connections", COUNT, 0);
        Optional<Duration> queryWaitTimeout = m.get("query_wait_timeout", ValueType.duration());
        int weight = m.get("weight", POSITIVE, 1);
        m.rejectUnknownKeys(PgBouncerNames.Section.TENANT);

        String poolSizeShown = poolSize + (poolSizeWritten ? "" : ", from default_pool_size");
        if (!m.failed("pool_size", "min_pool_size") && minPoolSize > poolSize) {
            m.problem("min_pool_size", "min_pool_size (" + minPoolSize + ") must not exceed pool_size ("
                    + poolSizeShown + ")");
        }
        if (maxServer.isPresent() && !m.failed("pool_size") && maxServer.get() < poolSize) {
            m.problem("max_server_connections", "max_server_connections (" + maxServer.get()
                    + ") must be at least pool_size (" + poolSizeShown + ")");
        }
        // Saturating: an absurd pool plus reserve should read as "no cap", not wrap negative.
        int maxServerConnections = maxServer.orElse((int) Math.min(Integer.MAX_VALUE, (long) poolSize + reservePoolSize));
        return new TenantConfig(name, poolSize, minPoolSize, reservePoolSize, reservePoolTimeout,
                maxServerConnections, maxClient, queryWaitTimeout, weight);
    }
}
