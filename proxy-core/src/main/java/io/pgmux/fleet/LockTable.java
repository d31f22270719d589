package io.pgmux.fleet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The two-key advisory locks an upstream showed at one round (see {@link ControlConnection#locks}), read as the
 * fleet's leases: what other instances hold, want and advertise of a budget, and who holds what, for SHOW FLEET.
 *
 * @param locks every granted two-key advisory lock of the control connection's database
 * @param self  the backend of this instance's control connection
 */
record LockTable(List<ControlConnection.Lock> locks, int self) {
    /** application_name of a control connection: this prefix and the instance id. */
    static final String APPLICATION_PREFIX = "pgmux ";

    /** What the other instances hold, want and advertise of the budget of {@code keys}. */
    LeaseBook.Observation observe(LeaseKeys keys) {
        Set<Integer> takenByOthers = new HashSet<>();
        Map<Integer, Integer> holders = new HashMap<>();
        Set<Integer> waiters = new HashSet<>();
        for (ControlConnection.Lock lock : locks) {
            if (lock.pid() == self) {
                continue;
            }
            if (lock.key() == keys.key()) {
                takenByOthers.add(lock.slot());
                holders.merge(lock.pid(), 1, Integer::sum);
            } else if (lock.key() == keys.demandKey()) {
                waiters.add(lock.pid());
            }
        }
        Set<Integer> sharing = new HashSet<>(holders.keySet());
        sharing.addAll(waiters);
        List<Integer> waitersHolding = new ArrayList<>();
        waiters.forEach(pid -> waitersHolding.add(holders.getOrDefault(pid, 0)));
        List<Integer> contentHolding = new ArrayList<>();
        holders.forEach((pid, n) -> {
            if (!waiters.contains(pid)) {
                contentHolding.add(n);
            }
        });
        return new LeaseBook.Observation(takenByOthers, holders.size(), waiters.size(), sharing.size(), false,
                waitersHolding, contentHolding, List.copyOf(sizes(keys).values()));
    }

    /**
     * The size of the budget of {@code keys} each other instance advertises, by instance id (and its control
     * connection's pid, as two instances could be given the same id); an instance switching sizes after a reload
     * may show two for a moment, and counts by the smaller.
     */
    Map<String, BudgetSize> sizes(LeaseKeys keys) {
        Map<String, BudgetSize> result = new TreeMap<>();
        for (ControlConnection.Lock lock : locks) {
            if (lock.pid() != self && lock.key() == keys.sizeKey()) {
                BudgetSize size = BudgetSize.ofMarker(lock.slot());
                result.merge(instance(lock.applicationName()) + " (pid " + lock.pid() + ")", size,
                        (a, b) -> a.smallest(List.of(b)));
            }
        }
        return result;
    }

    /** Instances holding leases of the budget, this one counted whether it holds any or not. */
    int instances(LeaseKeys keys) {
        return observe(keys).othersHolding() + 1;
    }

    /** SHOW FLEET's lines for the budgets of {@code keys} (by budget name), one per instance and budget. */
    List<FleetRow> rows(String upstream, Map<String, LeaseKeys> keys) {
        Map<Integer, String> budgets = new HashMap<>();
        Map<Integer, String> demands = new HashMap<>();
        Map<Integer, String> sizeMarkers = new HashMap<>();
        keys.forEach((name, each) -> {
            budgets.put(each.key(), name);
            demands.put(each.demandKey(), name);
            sizeMarkers.put(each.sizeKey(), name);
        });
        Map<List<Object>, int[]> counts = new LinkedHashMap<>();
        Set<List<Object>> waiting = new HashSet<>();
        Map<List<Object>, BudgetSize> sizes = new HashMap<>();
        for (ControlConnection.Lock lock : locks) {
            String budget = budgets.get(lock.key());
            String demanded = demands.get(lock.key());
            String sized = sizeMarkers.get(lock.key());
            String name = budget != null ? budget : demanded != null ? demanded : sized;
            if (name == null) {
                continue;
            }
            List<Object> id = List.of(lock.pid(), lock.applicationName(), name);
            counts.computeIfAbsent(id, k -> new int[1])[0] += budget != null ? 1 : 0;
            if (demanded != null) {
                waiting.add(id);
            }
            if (sized != null) {
                sizes.merge(id, BudgetSize.ofMarker(lock.slot()), (a, b) -> a.smallest(List.of(b)));
            }
        }
        List<FleetRow> result = new ArrayList<>();
        counts.forEach((id, n) -> {
            int pid = (Integer) id.get(0);
            result.add(new FleetRow(upstream, instance((String) id.get(1)), pid, (String) id.get(2), n[0],
                    waiting.contains(id), pid == self, Optional.ofNullable(sizes.get(id))));
        });
        return result;
    }

    /** The instance id in a control connection's application_name. */
    private static String instance(String applicationName) {
        return applicationName.startsWith(APPLICATION_PREFIX)
                ? applicationName.substring(APPLICATION_PREFIX.length()) : applicationName;
    }
}
