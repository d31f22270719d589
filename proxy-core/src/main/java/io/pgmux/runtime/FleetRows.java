package io.pgmux.runtime;

import io.pgmux.admin.spi.FleetLeaseRow;
import io.pgmux.fleet.FleetRow;
import io.pgmux.fleet.LeaseKeeper;
import java.util.ArrayList;
import java.util.List;

/** The lease keeper's view of the fleet as SHOW FLEET's rows. */
final class FleetRows {
    private FleetRows() {
    }

    static List<FleetLeaseRow> of(LeaseKeeper keeper) {
        List<FleetLeaseRow> rows = new ArrayList<>();
        for (FleetRow each : keeper.rows()) {
            rows.add(new FleetLeaseRow(each.upstream(), each.instance(), each.pid(), each.budget(), each.leases(),
                    each.waiting(), each.self(), each.size().map(s -> s.limit()), each.size().map(s -> s.reserve())));
        }
        return rows;
    }
}
