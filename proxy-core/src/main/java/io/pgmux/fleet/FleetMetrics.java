package io.pgmux.fleet;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The fleet's metrics, labelled with this instance's id and the budget ("tenant web on database app", "database
 * app", "pgmux"): {@code pgmux_fleet_leases} held, {@code pgmux_fleet_allowed_connections},
 * {@code pgmux_fleet_waiting} (1 while this instance waits for a lease none are free for),
 * {@code pgmux_fleet_instances} holding leases of the budget, {@code pgmux_fleet_slots} (the normal slots counted on:
 * the smallest size any instance's file gives the budget), {@code pgmux_fleet_size_disagreement} (1 while another
 * instance's file gives it another size); per upstream {@code pgmux_fleet_control_connected}
 * and {@code pgmux_fleet_control_losses_total}. Read from the keeper's last round.
 */
public final class FleetMetrics implements MeterBinder {
    private final LeaseKeeper keeper;

    public FleetMetrics(LeaseKeeper keeper) {
        this.keeper = keeper;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        String instance = keeper.instanceId();
        for (Map.Entry<String, List<String>> upstream : keeper.budgets().entrySet()) {
            String address = upstream.getKey();
            Gauge.builder("pgmux.fleet.control.connected", keeper, k -> k.isConnected(address) ? 1 : 0)
                    .tags("instance", instance, "upstream", address)
                    .description("1 while this instance's control connection to the upstream is up")
                    .register(registry);
            FunctionCounter.builder("pgmux.fleet.control.losses", keeper, k -> k.losses(address))
                    .tags("instance", instance, "upstream", address)
                    .description("Times this instance lost its control connection, and its leases, there")
                    .register(registry);
            for (String budget : upstream.getValue()) {
                gauge(registry, "pgmux.fleet.leases", instance, budget, LeaseKeeper.BudgetState::held,
                        "Leases (advisory locks) this instance holds on the fleet's budget");
                gauge(registry, "pgmux.fleet.allowed.connections", instance, budget,
                        LeaseKeeper.BudgetState::allowed,
                        "Server connections this instance may count against the budget now");
                gauge(registry, "pgmux.fleet.waiting", instance, budget, s -> s.waiting() ? 1 : 0,
                        "1 while this instance waits for a lease of the budget that none are free for");
                gauge(registry, "pgmux.fleet.instances", instance, budget, LeaseKeeper.BudgetState::instances,
                        "Instances of the fleet holding leases of the budget, this one included");
                gauge(registry, "pgmux.fleet.slots", instance, budget, LeaseKeeper.BudgetState::slots,
                        "Normal slots of the budget this instance counts on: the smallest size any instance's"
                                + " file gives it");
                gauge(registry, "pgmux.fleet.size.disagreement", instance, budget, s -> s.disagree() ? 1 : 0,
                        "1 while another instance's file gives the budget another size than this one's");
            }
        }
    }

    private void gauge(MeterRegistry registry, String name, String instance, String budget,
                       ToDoubleFunction<LeaseKeeper.BudgetState> value, String help) {
        Gauge.builder(name, keeper, k -> {
            LeaseKeeper.BudgetState state = k.states().get(budget);
            return state == null ? 0 : value.applyAsDouble(state);
        }).tags("instance", instance, "budget", budget).description(help).register(registry);
    }
}
