package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.int4;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.BudgetRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SHOW BUDGETS (pgmux's own): the budget table of each upstream server, with the connections each line counts now
 * ({@code servers}, idle ones included: a budget caps connections held, whether or not they serve a client). With a
 * fleet, {@code servers} counts this instance's connections only, while the budgets hold for the whole fleet:
 * {@code fleet_leases} gives the leases all instances hold on the budget as the last lease round read them (NULL
 * without a fleet), and the control connection and headroom lines count the instances that round saw.
 */
public final class ShowBudgets {
    public static final List<Field> COLUMNS = List.of(text("upstream"), text("budget"), int4("most"),
            int4("servers"), text("basis"), int4("fleet_leases"));

    private ShowBudgets() {
    }

    public static ResultTable table(List<BudgetRow> budgets) {
        List<List<String>> rows = new ArrayList<>(budgets.size());
        for (BudgetRow b : budgets) {
            rows.add(Arrays.asList(b.upstream(), b.budget(), Cells.of(b.most()),
                    b.servers() == null ? null : Cells.of(b.servers()), b.basis(),
                    b.fleetLeases() == null ? null : Cells.of(b.fleetLeases())));
        }
        return new ResultTable(COLUMNS, rows);
    }
}
