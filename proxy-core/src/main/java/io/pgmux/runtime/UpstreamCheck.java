package io.pgmux.runtime;

import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.UserConfig;
import io.pgmux.pool.CapacityPlan;
import io.pgmux.server.UpstreamProbe;
import io.pgmux.server.UpstreamSlots;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.tls.UpstreamTlsContexts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compares the configured budgets with the slots each upstream server really has, and writes the budget table
 * an operator needs to see when they do not fit. Blocking: run it on a thread of its own, never an event loop.
 */
public final class UpstreamCheck {
    /** The outcome for one upstream server. */
    public record Result(String address, boolean fits, boolean reached, String report, Optional<UpstreamSlots> slots) {
    }

    /** The application_name of the check's connection. */
    public static final String APPLICATION_NAME = "pgmux budget check";

    private final PgmuxConfig config;
    private final UpstreamTlsContexts tls;

    /** Builds the TLS contexts it needs on the calling thread. */
    public UpstreamCheck(PgmuxConfig config) {
        this(config, new UpstreamTlsContexts());
    }

    /** @param tls where the upstreams' TLS contexts come from (a running pgmux's own, built or being built) */
    public UpstreamCheck(PgmuxConfig config, UpstreamTlsContexts tls) {
        this.config = config;
        this.tls = tls;
    }

    public List<Result> run() {
        List<Result> results = new ArrayList<>();
        for (CapacityPlan.Upstream upstream : CapacityPlan.of(config).upstreams()) {
            results.add(check(upstream));
        }
        return results;
    }

    private Result check(CapacityPlan.Upstream upstream) {
        DatabaseConfig db = config.databases().get(upstream.databases().get(0).name());
        UpstreamTarget target = probeTarget(db);
        UpstreamSlots slots;
        try {
            slots = new UpstreamProbe(target, config.timeouts().serverConnectTimeout(), tls).read();
        } catch (IOException | RuntimeException e) {
            // A refusal's hint says what to change (server_tls_sslmode for a server that takes only TLS ...).
            String why = UpstreamProbe.errorOf(e).map(refusal -> refusal.message()
                    + (refusal.hint() == null ? "" : "\n  hint: " + refusal.hint())).orElse(e.getMessage());
            return new Result(upstream.address(), false, false, "upstream " + upstream.address()
                    + ": could not read its connection limits as user \"" + target.user() + "\" on database \""
                    + target.database() + "\": " + why + "\n" + BudgetTable.render(upstream, null), Optional.empty());
        }
        boolean fits = upstream.total() <= slots.forOrdinaryRoles();
        return new Result(upstream.address(), fits, true, BudgetTable.render(upstream, slots), Optional.of(slots));
    }

    /**
     * Logs in the way the database's first pool would (its forced user, else the first configured user), named
     * {@value #APPLICATION_NAME} in pg_stat_activity.
     */
    private UpstreamTarget probeTarget(DatabaseConfig db) {
        Optional<UserConfig> first = config.users().values().stream().findFirst();
        return UpstreamTarget.forDatabase(db, first.map(UserConfig::name).orElse("postgres"),
                first.flatMap(UserConfig::password).orElse(null)).withApplicationName(APPLICATION_NAME);
    }
}
