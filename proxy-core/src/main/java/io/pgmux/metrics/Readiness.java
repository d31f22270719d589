package io.pgmux.metrics;

import io.pgmux.config.DatabaseConfig;
import io.pgmux.pool.CircuitState;
import io.pgmux.pool.PoolManager;
import io.pgmux.pool.UpstreamStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Whether pgmux can serve: it is listening, not shutting down, and every configured database's upstream either
 * has a closed circuit or, with its circuit open (or half-open, a probe under way), still has live server
 * connections: logged in and not closing ({@link UpstreamStatus#liveServers}). So one refused connection attempt
 * ("too many clients") while the open connections keep serving does not take pgmux out of a load balancer, and a
 * database that has gone away does, as soon as a refused or failed attempt opens the circuit: its server
 * connections died with it (PostgreSQL's shutdown terminates every backend). Readiness returns when a probe
 * logs in and closes the circuit.
 *
 * <p>How long ago the upstream last answered is reported but does not decide: a pool that is merely quiet has
 * nothing to answer, and a pgmux taken out of its load balancer gets no traffic to answer with, so a rule that
 * needed recent answers would keep a healthy, idle pgmux out of service. A server that pgmux still counts as live
 * but whose database is unreachable (a network partition, before the socket fails) counts as it does with a
 * closed circuit: as serving, until it fails.
 *
 * <p>A database no client has used yet has no circuit and counts as ready: pgmux has seen nothing wrong with it,
 * and the probe does not open connections of its own. With {@code fleet.enabled}, an upstream whose control
 * connection is down is not ready either: no lease can be taken there, so no new server connection opens, and its
 * circuit never sees why.
 */
public final class Readiness {
    /** Whether the fleet's control connection to an upstream is up, as far as readiness is concerned. */
    public enum FleetControl {
        /** No fleet: budgets are this instance's alone. */
        NONE,
        UP,
        DOWN
    }

    private final PoolManager pools;
    private final Supplier<ServingState> state;
    private final Function<String, FleetControl> fleetControl;

    /** Without a fleet. The databases checked are those of the configuration in force ({@link PoolManager#config()}). */
    public Readiness(PoolManager pools, Supplier<ServingState> state) {
        this(pools, state, address -> FleetControl.NONE);
    }

    /** @param fleetControl the fleet's control connection to an upstream ("host:port") */
    public Readiness(PoolManager pools, Supplier<ServingState> state, Function<String, FleetControl> fleetControl) {
        this.pools = pools;
        this.state = state;
        this.fleetControl = fleetControl;
    }

    /** Checks now; takes the pool manager's lock once, briefly. */
    public Report check() {
        Map<String, UpstreamStatus> upstreams = pools.upstreams();
        List<DatabaseHealth> databases = new ArrayList<>();
        for (DatabaseConfig each : pools.config().databases().values()) {
            String address = each.host() + ":" + each.port();
            UpstreamStatus upstream = upstreams.get(address);
            FleetControl control = fleetControl.apply(address);
            databases.add(new DatabaseHealth(each.name(), address, upstream, isReady(upstream, control), control));
        }
        return new Report(state.get(), databases);
    }

    /**
     * The rule for one upstream (see the class doc).
     *
     * @param upstream what the pools know of it, or null if no pool has connected there yet
     */
    static boolean isReady(UpstreamStatus upstream, FleetControl control) {
        if (control == FleetControl.DOWN) {
            return false;
        }
        return upstream == null || serves(upstream.circuit(), upstream.liveServers());
    }

    /**
     * The rule for an upstream pgmux has connected to, from its circuit and its live servers (see the class doc);
     * also for {@code pgmux status}, which reads both off the console.
     */
    public static boolean serves(CircuitState circuit, int liveServers) {
        return circuit == CircuitState.CLOSED || liveServers > 0;
    }

    /**
     * One database's upstream as the probe saw it.
     *
     * @param upstream     what the pools know of it, or null if no pool has connected there yet
     * @param fleetControl the fleet's control connection there
     */
    public record DatabaseHealth(String name, String address, UpstreamStatus upstream, boolean ready,
                                 FleetControl fleetControl) {
    }

    /** The outcome of one check. */
    public record Report(ServingState state, List<DatabaseHealth> databases) {
        public Report {
            databases = List.copyOf(databases);
        }

        public boolean ready() {
            return state == ServingState.SERVING && databases.stream().allMatch(DatabaseHealth::ready);
        }

        /**
         * The JSON body of {@code /health/ready}, e.g. {@code {"status":"ready","state":"serving","databases":
         * {"app":{"ready":true,"upstream":"127.0.0.1:5432","circuit":"closed","live_servers":2,
         * "last_answer_seconds_ago":0.4,"connection_attempts":3}}}}; {@code live_servers} counts the upstream's
         * logged-in server connections of every pool there; {@code circuit} is null and the rest absent for an
         * upstream pgmux has not connected to yet, the last answer absent for one that never answered.
         */
        public String toJson() {
            StringBuilder json = new StringBuilder(128);
            json.append("{\"status\":\"").append(ready() ? "ready" : "not ready").append("\",\"state\":\"")
                    .append(state.name().toLowerCase()).append("\",\"databases\":{");
            String separator = "";
            for (DatabaseHealth each : databases) {
                json.append(separator);
                separator = ",";
                Json.string(json, each.name());
                json.append(":{\"ready\":").append(each.ready()).append(",\"upstream\":");
                Json.string(json, each.address());
                if (each.fleetControl() != FleetControl.NONE) {
                    json.append(",\"fleet_control\":\"").append(each.fleetControl() == FleetControl.UP ? "up" : "down")
                            .append('"');
                }
                UpstreamStatus upstream = each.upstream();
                if (upstream == null) {
                    json.append(",\"circuit\":null");
                } else {
                    json.append(",\"circuit\":\"").append(upstream.circuit().name().toLowerCase()).append('"')
                            .append(",\"live_servers\":").append(upstream.liveServers());
                    if (upstream.nanosSinceAnswered() >= 0) {
                        json.append(",\"last_answer_seconds_ago\":")
                                .append(String.format(java.util.Locale.ROOT, "%.3f",
                                        upstream.nanosSinceAnswered() / 1e9));
                    }
                    json.append(",\"connection_attempts\":").append(upstream.attempts());
                }
                json.append('}');
            }
            return json.append("}}").toString();
        }
    }
}
