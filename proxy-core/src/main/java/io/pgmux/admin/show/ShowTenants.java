package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.int4;
import static io.pgmux.protocol.backend.RowDescription.Field.int8;
import static io.pgmux.protocol.backend.RowDescription.Field.numeric;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.TenantRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SHOW TENANTS (pgmux's own): each tenant's budget on each database and how much of it is used. {@code servers}
 * counts every connection held against the budget, idle ones included; {@code in_use} those linked to a client
 * now (PgBouncer's sv_active). {@code utilization_pct} is in_use against the budget (pool_size), one decimal: how
 * saturated the tenant is, not how much it holds; above 100 its reserve serves clients too; NULL for a budget
 * of 0.
 */
public final class ShowTenants {
    public static final List<Field> COLUMNS = List.of(text("tenant"), text("database"), int4("budget"),
            int4("reserve"), int4("servers"), int4("in_use"), int4("waiting"), int8("longest_wait_us"),
            int4("pinned"), numeric("utilization_pct"), int4("weight"));

    private ShowTenants() {
    }

    public static ResultTable table(List<TenantRow> tenants) {
        List<List<String>> rows = new ArrayList<>(tenants.size());
        for (TenantRow t : tenants) {
            rows.add(Arrays.asList(t.tenant(), t.database(), Cells.of(t.budget()), Cells.of(t.reserve()),
                    Cells.of(t.servers()), Cells.of(t.inUse()), Cells.of(t.waiting()),
                    Cells.of(t.longestWaitMicros()), Cells.of(t.pinned()), utilization(t.inUse(), t.budget()),
                    Cells.of(t.weight())));
        }
        return new ResultTable(COLUMNS, rows);
    }

    static String utilization(int inUse, int budget) {
        if (budget <= 0) {
            return null;
        }
        return BigDecimal.valueOf(inUse * 100L).divide(BigDecimal.valueOf(budget), 1, RoundingMode.HALF_UP)
                .toPlainString();
    }
}
