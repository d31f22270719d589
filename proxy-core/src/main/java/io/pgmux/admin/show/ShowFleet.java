package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.int4;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.FleetLeaseRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SHOW FLEET (pgmux's own): with {@code fleet.enabled}, every instance of the fleet and the leases it holds on each
 * budget, read from the upstream's pg_locks and pg_stat_activity; {@code self} marks the instance answering,
 * {@code waiting} one that waits for a lease none are free for; {@code slots} and {@code reserve_slots} the budget's
 * size as that instance's file gives it (NULL when it advertises none): where they differ between instances, every
 * instance keeps to the smallest and logs a warning. No rows without a fleet.
 */
public final class ShowFleet {
    public static final List<Field> COLUMNS = List.of(text("upstream"), text("instance"), int4("pid"),
            text("budget"), int4("leases"), text("waiting"), text("self"), int4("slots"), int4("reserve_slots"));

    private ShowFleet() {
    }

    public static ResultTable table(List<FleetLeaseRow> fleet) {
        List<List<String>> rows = new ArrayList<>(fleet.size());
        for (FleetLeaseRow f : fleet) {
            rows.add(Arrays.asList(f.upstream(), f.instance(), Cells.of(f.pid()), f.budget(), Cells.of(f.leases()),
                    f.waiting() ? "yes" : "no", f.self() ? "yes" : "no", f.slots().map(Cells::of).orElse(null),
                    f.reserveSlots().map(Cells::of).orElse(null)));
        }
        return new ResultTable(COLUMNS, rows);
    }
}
