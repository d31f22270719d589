package io.pgmux.fleet;

import java.util.Optional;

/**
 * One line of {@code SHOW FLEET}: the leases one instance holds on one budget, as the upstream's pg_locks showed
 * them at the keeper's last round.
 *
 * @param upstream the upstream server (host:port) whose locks these are
 * @param instance the instance's id (its control connection's application_name without the "pgmux " prefix)
 * @param pid      the backend process of its control connection
 * @param budget   the budget, e.g. "tenant web on database app"
 * @param leases   leases it holds
 * @param waiting  whether it waits for a lease none are free for
 * @param self     whether the instance is this one
 * @param size     the budget's size its file gives, as it advertises it; empty when it advertises none
 */
public record FleetRow(String upstream, String instance, int pid, String budget, int leases, boolean waiting,
                       boolean self, Optional<BudgetSize> size) {
}
