package io.pgmux.admin.show;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How values appear in the console's text cells. */
final class Cells {
    private static final long MICROS_PER_SECOND = 1_000_000;
    /** PgBouncer renders its timestamp columns as text; pgmux in UTC so every console shows the same. */
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Cells() {
    }

    static String of(long value) {
        return Long.toString(value);
    }

    /** PgBouncer's int4 flags (paused, disabled, close_needed). */
    static String flag(boolean value) {
        return value ? "1" : "0";
    }

    static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    static String timestamp(Instant value) {
        return TIMESTAMP.format(value);
    }

    /** The whole seconds of a duration in microseconds, for PgBouncer's int4 pairs such as maxwait/maxwait_us. */
    static String seconds(long micros) {
        return Long.toString(Math.min(Integer.MAX_VALUE, micros / MICROS_PER_SECOND));
    }

    /** The microseconds left over after {@link #seconds}. */
    static String micros(long micros) {
        return Long.toString(micros % MICROS_PER_SECOND);
    }
}
