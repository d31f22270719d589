package io.pgmux.cli;

import java.util.Properties;

/**
 * How often Netty's leak detector samples a buffer when pgmux runs for real.
 *
 * <p>Netty's default level ({@code simple}) tracks one buffer in 128 and takes a stack trace when it is made and
 * another when it is released. pgmux makes a few buffers per transaction, so at that rate the stack traces cost
 * about 2 % of pgmux's CPU under pgbench ({@code bench/RESULTS.md}, "Leak sampling"). One buffer in 4096 keeps the
 * detector on, so a leak still gets its {@code LEAK:} log line within seconds under load, at a thirty-second of
 * the cost. The test suites run the detector at {@code paranoid}, where every buffer is tracked.
 *
 * <p>Netty reads {@value #PROPERTY} once, when its leak detector is first loaded, so this runs first thing in
 * {@code main}. An operator who sets the property, or a level ({@code -Dio.netty.leakDetection.level=...}),
 * keeps their choice.
 */
final class LeakSampling {
    static final String PROPERTY = "io.netty.leakDetection.samplingInterval";
    /** One tracked buffer in this many. */
    static final int INTERVAL = 4096;
    private static final String LEVEL = "io.netty.leakDetection.level";
    private static final String LEVEL_OLD = "io.netty.leakDetectionLevel";

    private LeakSampling() {
    }

    /** Sets {@value #PROPERTY} in {@code system} unless the operator chose a sampling interval or a level. */
    static void applyDefault(Properties system) {
        if (system.getProperty(PROPERTY) == null && system.getProperty(LEVEL) == null
                && system.getProperty(LEVEL_OLD) == null) {
            system.setProperty(PROPERTY, Integer.toString(INTERVAL));
        }
    }
}
