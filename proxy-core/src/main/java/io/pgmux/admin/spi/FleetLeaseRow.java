package io.pgmux.admin.spi;

import java.util.Objects;
import java.util.Optional;

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
 * @param slots    the budget's normal slots as that instance's file gives them (its size marker); empty when it
 *                 advertises none
 * @param reserveSlots the budget's reserve slots as that instance's file gives them; empty likewise
 */
public record FleetLeaseRow(String upstream, String instance, int pid, String budget, int leases, boolean waiting,
                            boolean self, Optional<Integer> slots, Optional<Integer> reserveSlots) {
    public FleetLeaseRow {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(slots, "slots");
        Objects.requireNonNull(reserveSlots, "reserveSlots");
    }
}
