package io.pgmux.cli.status;

import io.pgmux.metrics.Readiness;
import io.pgmux.pool.CircuitState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The readiness rule of {@code /health/ready} ({@link Readiness#serves}), read off the console for a pgmux whose
 * health endpoint is off: a database is not ready when its upstream (host:port, shared by every database there) has
 * a circuit that is not closed and no live server connection, i.e. none active, idle, being checked, reset or
 * canceled, in any pool there. An open circuit with live servers (one refused login while the open connections
 * serve) is ready.
 */
final class UpstreamServing {
    private UpstreamServing() {
    }

    /** The columns of SHOW POOLS that count servers logged in and not closing. */
    private static final List<String> LIVE = List.of("sv_active", "sv_active_cancel", "sv_being_canceled", "sv_idle",
            "sv_used", "sv_tested");

    /**
     * @param databases SHOW DATABASES records (name, host, port)
     * @param pools     SHOW POOLS records (database, upstream_circuit and the sv_* counts)
     * @return the databases with pools that are not ready, in the order of {@code pools}
     */
    static List<String> unserved(List<Map<String, String>> databases, List<Map<String, String>> pools) {
        Map<String, String> upstreamOf = new LinkedHashMap<>();
        for (Map<String, String> each : databases) {
            upstreamOf.put(each.get("name"), each.get("host") + ":" + each.get("port"));
        }
        Map<String, CircuitState> circuits = new LinkedHashMap<>();
        Map<String, Integer> live = new LinkedHashMap<>();
        for (Map<String, String> pool : pools) {
            String upstream = upstreamOf.getOrDefault(pool.get("database"), pool.get("database"));
            String circuit = pool.get("upstream_circuit");
            if (circuit != null && !circuit.isEmpty() && !circuit.equals("closed")) {
                circuits.put(upstream, CircuitState.OPEN); // open or half_open: not closed is what the rule asks
            } else {
                circuits.putIfAbsent(upstream, CircuitState.CLOSED);
            }
            int servers = 0;
            for (String column : LIVE) {
                String value = pool.get(column);
                servers += value == null || value.isEmpty() ? 0 : Integer.parseInt(value);
            }
            live.merge(upstream, servers, Integer::sum);
        }
        List<String> result = new ArrayList<>();
        for (Map<String, String> pool : pools) {
            String database = pool.get("database");
            String upstream = upstreamOf.getOrDefault(database, database);
            if (!Readiness.serves(circuits.get(upstream), live.get(upstream)) && !result.contains(database)) {
                result.add(database);
            }
        }
        return result;
    }
}
