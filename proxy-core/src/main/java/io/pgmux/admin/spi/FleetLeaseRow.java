package io.pgmux.admin.spi;

import java.util.Objects;

/**
 * One line of SHOW FLEET: the leases one instance of the fleet holds on one budget, as the upstream's pg_locks
 * showed them at this instance's last lease round.
 *
 * @param upstream the upstream server (host:port)
 * @param instance the instance's id, from its control connection's application_name
 * @param pid      the backend process of that control connection
 * @param budget   e.g. "tenant web on database app"
 * @param leases   leases it holds
 * @param waiting  whether it waits for a lease none are free for
 * @param self     whether it is the instance answering
 */
public record FleetLeaseRow(String upstream, String instance, int pid, String budget, int leases, boolean waiting,
                            boolean self) {
    public FleetLeaseRow {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(budget, "budget");
    }
}
