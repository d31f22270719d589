package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.PauseState;
import io.pgmux.admin.spi.RunState;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.List;

/**
 * SHOW STATE: key/value rows active, paused, suspended, each yes or no, as PgBouncer 1.25; then pgmux's row
 * {@code state}, {@code serving} or {@code shutting_down}, as {@code /health/ready} says it, so a drain shows on the
 * console too (PgBouncer's rows stay first and unchanged, for the tools that read them).
 */
public final class ShowState {
    public static final List<Field> COLUMNS = List.of(text("key"), text("value"));

    private ShowState() {
    }

    public static ResultTable table(PauseState state, RunState run) {
        return new ResultTable(COLUMNS, List.of(
                List.of("active", Cells.yesNo(state == PauseState.ACTIVE)),
                List.of("paused", Cells.yesNo(state == PauseState.PAUSED)),
                List.of("suspended", Cells.yesNo(state == PauseState.SUSPENDED)),
                List.of("state", run.word())));
    }
}
