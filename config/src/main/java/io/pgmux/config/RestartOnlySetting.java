package io.pgmux.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The settings that keep their running values until pgmux restarts, as PostgreSQL's {@code postmaster} parameters
 * do: what binds sockets, starts threads or is fixed into what was handed out at start (cancel keys, the framing of
 * open server connections). A reload keeps their running values in the configuration it installs
 * ({@link PgmuxConfig#withRestartOnlyFrom}) and warns with {@code 55P02} naming the changed ones ({@link #changes});
 * the console's {@code SET} refuses them ({@link LiveSettings#needsRestart}). This table is the one list of them.
 */
public enum RestartOnlySetting {
    LISTEN_HOST("listen.host", c -> c.listen().host()),
    LISTEN_PORT("listen.port", c -> c.listen().port()),
    LISTEN_SO_REUSEPORT("listen.so_reuseport", c -> c.listen().soReuseport()),
    /** The id is in every cancel key handed out; this process also listens on its own entry in {@code peers}. */
    PEER_ID("peer_id", c -> List.of(c.peers().peerId(), c.peers().own())),
    /** Open server connections frame messages with the limit they started with, clients with the same one. */
    MAX_MESSAGE_SIZE("max_message_size", PgmuxConfig::maxMessageSize),
    WORKERS("workers", PgmuxConfig::workers),
    TRANSPORT("transport", PgmuxConfig::transport),
    SERVER_CONNECT_TIMEOUT("server_connect_timeout", c -> c.timeouts().serverConnectTimeout()),
    METRICS_ENABLED("metrics.enabled", c -> c.metrics().enabled()),
    METRICS_HOST("metrics.host", c -> c.metrics().host()),
    METRICS_PORT("metrics.port", c -> c.metrics().port()),
    METRICS_PGBOUNCER_COMPAT("metrics.pgbouncer_compat", c -> c.metrics().pgbouncerCompat()),
    FLEET_ENABLED("fleet.enabled", c -> c.fleet().enabled()),
    FLEET_NAME("fleet.name", c -> c.fleet().name()),
    FLEET_INSTANCE_ID("fleet.instance_id", c -> c.fleet().instanceId()),
    FLEET_MIN_LEASES("fleet.min_leases", c -> c.fleet().minLeases()),
    FLEET_LEASE_IDLE_TIMEOUT("fleet.lease_idle_timeout", c -> c.fleet().leaseIdleTimeout()),
    FLEET_REBALANCE_INTERVAL("fleet.rebalance_interval", c -> c.fleet().rebalanceInterval()),
    FLEET_LEASE_RECLAIM_TIMEOUT("fleet.lease_reclaim_timeout", c -> c.fleet().leaseReclaimTimeout());

    private static final Map<String, RestartOnlySetting> BY_KEY = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(RestartOnlySetting::key, Function.identity()));

    private static final Set<String> SECTIONS = Set.of("listen", "metrics", "fleet");

    private final String key;
    private final Function<PgmuxConfig, Object> value;

    RestartOnlySetting(String key, Function<PgmuxConfig, Object> value) {
        this.key = key;
        this.value = value;
    }

    /**
     * What a reload that changes {@code keys} (from {@link #changes}, at least one) says of them, e.g.
     * {@code "listen.port, which keeps its running value until pgmux restarts"}.
     */
    public static String keptUntilRestart(List<String> keys) {
        return String.join(", ", keys) + (keys.size() == 1 ? ", which keeps its running value"
                : ", which keep their running values") + " until pgmux restarts";
    }

    /** The key as the configuration file and SHOW CONFIG spell it, e.g. {@code listen.port}. */
    public String key() {
        return key;
    }

    /** The setting's value in {@code config}, comparable with {@code equals} to its value in another. */
    public Object valueIn(PgmuxConfig config) {
        return value.apply(config);
    }

    /** The setting spelled {@code key}, ignoring case; empty when {@code key} is not restart-only (or no key). */
    public static Optional<RestartOnlySetting> named(String key) {
        return Optional.ofNullable(BY_KEY.get(key.toLowerCase(Locale.ROOT)));
    }

    /**
     * Whether {@code key} (ignoring case) names a section of the file every one of whose settings is in this table:
     * {@code listen}, {@code metrics} and {@code fleet}.
     */
    public static boolean isSection(String key) {
        return SECTIONS.contains(key.toLowerCase(Locale.ROOT));
    }

    /**
     * The keys of the settings whose values differ between {@code running} and {@code next}, in the order of this
     * table; empty when a reload to {@code next} applies in full.
     */
    public static List<String> changes(PgmuxConfig running, PgmuxConfig next) {
        List<String> changed = new ArrayList<>();
        for (RestartOnlySetting setting : values()) {
            if (!Objects.equals(setting.valueIn(running), setting.valueIn(next))) {
                changed.add(setting.key);
            }
        }
        return changed;
    }
}
