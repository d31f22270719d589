package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.int4;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.PoolRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** SHOW POOLS: PgBouncer 1.25's 17 columns ("ssiiiiiiiiiiiiiss"), then tenant, pinned, upstream_circuit. */
public final class ShowPools {
    public static final List<Field> COLUMNS = List.of(
            text("database"), text("user"),
            int4("cl_active"), int4("cl_waiting"), int4("cl_active_cancel_req"), int4("cl_waiting_cancel_req"),
            int4("sv_active"), int4("sv_active_cancel"), int4("sv_being_canceled"), int4("sv_idle"),
            int4("sv_used"), int4("sv_tested"), int4("sv_login"), int4("maxwait"), int4("maxwait_us"),
            text("pool_mode"), text("load_balance_hosts"),
            text("tenant"), int4("pinned"), text("upstream_circuit"));
    static final int PGBOUNCER_COLUMNS = 17;

    private ShowPools() {
    }

    public static ResultTable table(List<PoolRow> pools, ColumnSet set) {
        List<List<String>> rows = new ArrayList<>(pools.size());
        for (PoolRow p : pools) {
            rows.add(set.pick(Arrays.asList(p.database(), p.user(),
                    Cells.of(p.clActive()), Cells.of(p.clWaiting()), Cells.of(p.clActiveCancelReq()),
                    Cells.of(p.clWaitingCancelReq()), Cells.of(p.svActive()), Cells.of(p.svActiveCancel()),
                    Cells.of(p.svBeingCanceled()), Cells.of(p.svIdle()), Cells.of(p.svUsed()),
                    Cells.of(p.svTested()), Cells.of(p.svLogin()),
                    Cells.seconds(p.maxWaitMicros()), Cells.micros(p.maxWaitMicros()),
                    p.poolMode(), p.loadBalanceHosts(),
                    p.tenant(), Cells.of(p.pinned()), p.upstreamCircuit()), PGBOUNCER_COLUMNS));
        }
        return new ResultTable(set.pick(COLUMNS, PGBOUNCER_COLUMNS), rows);
    }
}
