package io.pgmux.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.pool.TenantLoad;
import io.pgmux.runtime.UtilizationWarnings.Crossings;
import java.util.List;
import org.junit.jupiter.api.Test;

final class UtilizationWarningsTest {
    private static final long QUIET = UtilizationWarnings.QUIET.toNanos();
    private static final Crossings NONE = new Crossings(List.of(), List.of());

    private final UtilizationWarnings warnings = new UtilizationWarnings();
    private long now = 1_000;

    /** A tenant's budget of {@code limit} on {@code database} with {@code inUse} connections linked to clients. */
    private static TenantLoad budget(String database, String tenant, int inUse, int limit) {
        return new TenantLoad(database, tenant, limit, 0, inUse, inUse, 0, 0);
    }

    /** The web tenant (pool_size 10) with {@code inUse} connections linked to clients. */
    private static TenantLoad web(int inUse) {
        return budget("app", "web", inUse, 10);
    }

    /** One check, one second after the previous one. */
    private Crossings check(int percent, TenantLoad... budgets) {
        now += 1_000_000_000L;
        return warnings.update(List.of(budgets), percent, now);
    }

    @Test
    void oneWarningPerCrossingAndOneNoteOnceBackBelowForTheQuietPeriod() {
        assertEquals(NONE, check(80, web(7)));
        assertEquals(new Crossings(List.of(web(8)), List.of()), check(80, web(8)), "80 % reached");
        assertEquals(NONE, check(80, web(10)), "still above");
        assertEquals(NONE, check(80, web(12)), "the reserve serves clients too");
        assertEquals(NONE, check(80, web(3)), "below for a second only");
        now += QUIET - 3_000_000_000L;
        assertEquals(NONE, check(80, web(3)), "below for a second less than the quiet period");
        assertEquals(new Crossings(List.of(), List.of(web(2))), check(80, web(2)), "below for the quiet period");
        assertEquals(NONE, check(80, web(3)));
        assertEquals(new Crossings(List.of(web(9)), List.of()), check(80, web(9)), "again");
    }

    /** The warning promises a reserve only to a tenant that has one (reserve_pool_size above 0). */
    @Test
    void theWarningNamesTheReserveOnlyWhereThereIsOne() {
        TenantLoad noReserve = new TenantLoad("shop", "web", 8, 0, 8, 8, 0, 0);
        assertEquals("tenant web has 8 server connections serving clients on database shop, 100% of its pool_size 8 "
                + "(utilization_warn_percent 80); further clients wait", UtilizationWarnings.warning(noReserve, 80));
        TenantLoad withReserve = new TenantLoad("shop", "web", 10, 3, 9, 9, 0, 0);
        assertEquals("tenant web has 9 server connections serving clients on database shop, 90% of its pool_size 10 "
                + "(utilization_warn_percent 80); further clients wait once its reserve of 3 is used",
                UtilizationWarnings.warning(withReserve, 80));
    }

    /** Transaction pooling: the connections serving clients come and go; one warning, not one per dip. */
    @Test
    void aTenantHoveringAtTheThresholdWarnsOnce() {
        assertEquals(new Crossings(List.of(web(8)), List.of()), check(80, web(8)));
        for (int i = 0; i < 100; i++) {
            assertEquals(NONE, check(80, web(i % 2 == 0 ? 7 : 9)), "check " + i);
        }
    }

    @Test
    void eachTenantOnEachDatabaseOnItsOwn() {
        TenantLoad reports = budget("app", "reports", 1, 2);
        TenantLoad webOnOther = budget("other", "web", 5, 5);
        assertEquals(new Crossings(List.of(web(9), webOnOther), List.of()), check(80, web(9), reports, webOnOther));
        assertEquals(new Crossings(List.of(budget("app", "reports", 2, 2)), List.of()),
                check(80, web(9), budget("app", "reports", 2, 2), webOnOther));
    }

    @Test
    void zeroTurnsItOffAndForgetsAndAnUnlimitedBudgetNeverWarns() {
        assertEquals(NONE, check(0, web(10)));
        assertEquals(NONE, check(80, budget("app", "open", 50, 0)));
        assertEquals(new Crossings(List.of(web(9)), List.of()), check(80, web(9)));
        assertEquals(NONE, check(0, web(9)), "turned off: no note, nothing watched");
        assertEquals(new Crossings(List.of(web(9)), List.of()), check(80, web(9)), "turned on again");
    }

    @Test
    void aRemovedTenantIsForgottenSoItsReturnWarnsAgain() {
        check(80, web(9));
        assertEquals(NONE, check(80));
        assertEquals(new Crossings(List.of(web(9)), List.of()), check(80, web(9)));
    }
}
