package io.pgmux.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One budget for every pgmux instance that runs the same file ({@code fleet:}): the budgets of the file then hold
 * for all instances together, coordinated through session-level advisory locks in the upstream database.
 *
 * @param enabled           whether this instance coordinates its budgets with the fleet; off by default
 * @param name              the fleet's name: instances of one name share the budgets, instances of another name
 *                          (another application on the same database) do not; required when enabled
 * @param instanceId        how this instance shows itself to the fleet (in {@code application_name} of its control
 *                          connections and in {@code SHOW FLEET}); empty: host name, process id and a random suffix
 * @param minLeases         leases of each budget this instance keeps even when idle, so that every instance can
 *                          serve its first client at once; default 1
 * @param leaseIdleTimeout  leases this instance held but did not use for this long are given back (their
 *                          connections closed first); default 30 s
 * @param rebalanceInterval how often the instance looks at its budgets and, with clients waiting, tries to take
 *                          free leases (each round is spread by a random jitter of up to half of it); default 100 ms
 * @param leaseReclaimTimeout how long an instance that lost its control connection (and with it its locks) keeps
 *                          serving on the server connections it has while it reconnects and takes its former slots
 *                          back; the other instances leave the slots of a vanished instance alone for this long plus
 *                          two rebalance intervals, so that the connections those slots covered have closed or been
 *                          covered again before anyone else opens one on them; default 3 s
 */
public record FleetConfig(boolean enabled, String name, Optional<String> instanceId, int minLeases,
                          Duration leaseIdleTimeout, Duration rebalanceInterval, Duration leaseReclaimTimeout) {
    public static final int DEFAULT_MIN_LEASES = 1;
    public static final Duration DEFAULT_LEASE_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_REBALANCE_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_LEASE_RECLAIM_TIMEOUT = Duration.ofSeconds(3);

    public FleetConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(leaseIdleTimeout, "leaseIdleTimeout");
        Objects.requireNonNull(rebalanceInterval, "rebalanceInterval");
        Objects.requireNonNull(leaseReclaimTimeout, "leaseReclaimTimeout");
    }

    /**
     * How long the other instances leave the slots of an instance whose control connection vanished: its
     * {@link #leaseReclaimTimeout} plus two rebalance intervals (it notices the loss up to a round after the
     * database, and they notice it up to a round after that).
     */
    public Duration quarantine() {
        return leaseReclaimTimeout.plus(rebalanceInterval.multipliedBy(2));
    }

    /** Off: every budget holds for this instance alone. */
    public static FleetConfig disabled() {
        return new FleetConfig(false, "", Optional.empty(), DEFAULT_MIN_LEASES, DEFAULT_LEASE_IDLE_TIMEOUT,
                DEFAULT_REBALANCE_INTERVAL, DEFAULT_LEASE_RECLAIM_TIMEOUT);
    }
}
