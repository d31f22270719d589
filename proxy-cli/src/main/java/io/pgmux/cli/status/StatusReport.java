package io.pgmux.cli.status;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code pgmux status} prints, read from the console: the version, whether pgmux is paused, its clients and
 * servers (SHOW LISTS), one line per pool (SHOW POOLS) and per tenant budget (SHOW TENANTS).
 *
 * @param state        SHOW STATE's {@code state}: serving, or shutting_down
 * @param openCircuits the databases whose pools report an open circuit
 * @param unserved     the databases not ready by the rule of {@code /health/ready} ({@link UpstreamServing})
 * @param health       what the health endpoint said, when it was asked: its HTTP status and its {@code state}
 */
public record StatusReport(String version, String state, boolean paused, int clients, int servers, TextTable pools,
                           TextTable tenants, List<String> openCircuits, List<String> unserved,
                           Optional<Health> health) {
    /** {@code /health/ready}'s answer. */
    public record Health(int status, String state) {
        boolean ready() {
            return status == 200;
        }
    }

    /** Reads the report over a logged-in console session. */
    public static StatusReport read(ConsoleClient console, Optional<Health> health)
            throws IOException, ConsoleClient.ConsoleException {
        String version = console.query("SHOW VERSION").rows().get(0).get(0);
        boolean paused = false;
        String state = "serving";
        for (List<String> row : console.query("SHOW STATE").rows()) {
            if (row.get(0).equals("paused") || row.get(0).equals("suspended")) {
                paused |= row.get(1).equals("yes");
            } else if (row.get(0).equals("state")) {
                state = row.get(1);
            }
        }
        int clients = 0;
        int servers = 0;
        for (List<String> row : console.query("SHOW LISTS").rows()) {
            switch (row.get(0)) {
                case "used_clients", "login_clients" -> clients += Integer.parseInt(row.get(1));
                case "used_servers", "free_servers" -> servers += Integer.parseInt(row.get(1));
                default -> { }
            }
        }
        TextTable pools = new TextTable(List.of("database", "user", "tenant", "cl_active", "cl_waiting",
                "sv_active", "sv_idle", "sv_login", "maxwait_us", "pool_mode", "circuit"));
        List<String> open = new java.util.ArrayList<>();
        List<Map<String, String>> poolRecords = console.query("SHOW POOLS").records();
        for (Map<String, String> p : poolRecords) {
            pools.add(List.of(p.get("database"), p.get("user"), orEmpty(p.get("tenant")), p.get("cl_active"),
                    p.get("cl_waiting"), p.get("sv_active"), p.get("sv_idle"), p.get("sv_login"),
                    Long.toString(Long.parseLong(p.get("maxwait")) * 1_000_000 + Long.parseLong(p.get("maxwait_us"))),
                    p.get("pool_mode"), orEmpty(p.get("upstream_circuit"))));
            if ("open".equals(p.get("upstream_circuit"))) {
                open.add(p.get("database"));
            }
        }
        TextTable tenants = new TextTable(List.of("tenant", "database", "budget", "reserve", "servers", "in_use",
                "waiting", "utilization_pct"));
        for (Map<String, String> t : console.query("SHOW TENANTS").records()) {
            tenants.add(List.of(t.get("tenant"), t.get("database"), t.get("budget"), t.get("reserve"),
                    t.get("servers"), t.get("in_use"), t.get("waiting"), orEmpty(t.get("utilization_pct"))));
        }
        List<String> unserved = UpstreamServing.unserved(console.query("SHOW DATABASES").records(), poolRecords);
        return new StatusReport(version, state, paused, clients, servers, pools, tenants, List.copyOf(open),
                List.copyOf(unserved), health);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /**
     * Ready: nothing is paused (PAUSE or SUSPEND), and the health endpoint answered 200 when it was asked, else the
     * console answered and no database is unserved: none has an upstream whose circuit is open with no live server.
     */
    public boolean ready() {
        return !paused && health.map(Health::ready).orElse(unserved.isEmpty());
    }

    /** One line on the state, then the tables. */
    public String render(String address) {
        StringBuilder out = new StringBuilder();
        // Paused, pgmux is not ready here though /health/ready answers 200 (new connections wait for RESUME there).
        // Without the health endpoint the console's SHOW STATE gives the same word, so both forms read alike.
        String said = health.map(h -> h.state() + (ready() ? " (ready)" : h.ready() ? " (not ready)"
                : " (not ready: /health/ready answered " + h.status() + ")"))
                .orElse(state + (ready() ? " (ready)" : " (not ready)"));
        out.append(version).append(" at ").append(address).append(": ").append(said)
                .append(paused ? ", paused" : "")
                .append(openCircuits.isEmpty() ? "" : ", circuit open for " + String.join(", ", openCircuits))
                .append("; ").append(clients).append(clients == 1 ? " client, " : " clients, ")
                .append(servers).append(servers == 1 ? " server connection" : " server connections").append('\n');
        out.append("pools:\n").append(pools.isEmpty() ? "  (none yet: pools are made at a client's first login)\n"
                : pools.render("  "));
        if (!tenants.isEmpty()) {
            out.append("tenants:\n").append(tenants.render("  "));
        }
        return out.toString();
    }
}
