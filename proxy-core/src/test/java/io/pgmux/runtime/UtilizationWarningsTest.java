package io.pgmux.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.runtime.UtilizationWarnings.Budget;
import io.pgmux.runtime.UtilizationWarnings.Crossings;
import java.util.List;
import org.junit.jupiter.api.Test;

final class UtilizationWarningsTest {
    private final UtilizationWarnings warnings = new UtilizationWarnings();

    private static Budget web(int used) {
        return new Budget("app", "web", used, 10);
    }

    @Test
    void oneWarningPerCrossingAndOneNoteOnTheWayBack() {
        assertEquals(new Crossings(List.of(), List.of()), warnings.update(List.of(web(7)), 80));
        assertEquals(new Crossings(List.of(web(8)), List.of()), warnings.update(List.of(web(8)), 80), "80 % reached");
        assertEquals(new Crossings(List.of(), List.of()), warnings.update(List.of(web(10)), 80), "still above");
        assertEquals(new Crossings(List.of(), List.of()), warnings.update(List.of(web(12)), 80), "in the reserve");
        assertEquals(new Crossings(List.of(), List.of(web(3))), warnings.update(List.of(web(3)), 80));
        assertEquals(new Crossings(List.of(), List.of()), warnings.update(List.of(web(3)), 80));
        assertEquals(new Crossings(List.of(web(9)), List.of()), warnings.update(List.of(web(9)), 80), "again");
    }

    @Test
    void eachTenantOnEachDatabaseOnItsOwn() {
        Budget reports = new Budget("app", "reports", 1, 2);
        Budget webOnOther = new Budget("other", "web", 5, 5);
        assertEquals(new Crossings(List.of(web(9), webOnOther), List.of()),
                warnings.update(List.of(web(9), reports, webOnOther), 80));
        assertEquals(new Crossings(List.of(new Budget("app", "reports", 2, 2)), List.of()),
                warnings.update(List.of(web(9), new Budget("app", "reports", 2, 2), webOnOther), 80));
    }

    @Test
    void zeroTurnsItOffAndAnUnlimitedBudgetNeverWarns() {
        assertEquals(new Crossings(List.of(), List.of()), warnings.update(List.of(web(10)), 0));
        assertEquals(new Crossings(List.of(), List.of()),
                warnings.update(List.of(new Budget("app", "open", 50, 0)), 80));
    }

    @Test
    void aRemovedTenantIsForgottenSoItsReturnWarnsAgain() {
        warnings.update(List.of(web(9)), 80);
        assertEquals(new Crossings(List.of(), List.of()), warnings.update(List.of(), 80));
        assertEquals(new Crossings(List.of(web(9)), List.of()), warnings.update(List.of(web(9)), 80));
    }
}
