package io.pgmux.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.pgmux.stats.LatencyBuckets;
import io.pgmux.stats.LatencyHistogram;
import java.util.List;

/**
 * Builds one metric family of a scrape: a name, its help, and its samples. Counter names are given without
 * {@code _total}, which the exposition format appends. A family with no samples is left out of the scrape.
 */
abstract class Family {
    private static final double MICROS_PER_SECOND = 1_000_000.0;
    private static final double[] BOUNDS_SECONDS = toSeconds(LatencyBuckets.upperBoundsMicros());

    final String name;
    final String help;

    private Family(String name, String help) {
        this.name = name;
        this.help = help;
    }

    static Gauge gauge(String name, String help) {
        return new Gauge(name, help);
    }

    static Counter counter(String name, String help) {
        return new Counter(name, help);
    }

    static Histogram histogram(String name, String help) {
        return new Histogram(name, help);
    }

    static double seconds(long micros) {
        return micros / MICROS_PER_SECOND;
    }

    abstract boolean isEmpty();

    abstract MetricSnapshot build();

    /** Adds every non-empty family to {@code into}. */
    static void addAll(MetricSnapshots.Builder into, List<? extends Family> families) {
        for (Family each : families) {
            if (!each.isEmpty()) {
                into.metricSnapshot(each.build());
            }
        }
    }

    private static Unit unitOf(String name) {
        if (name.endsWith("_seconds")) {
            return Unit.SECONDS;
        }
        return name.endsWith("_bytes") ? Unit.BYTES : null;
    }

    private static double[] toSeconds(long[] micros) {
        double[] result = new double[micros.length + 1];
        for (int i = 0; i < micros.length; i++) {
            result[i] = seconds(micros[i]);
        }
        result[micros.length] = Double.POSITIVE_INFINITY;
        return result;
    }

    static final class Gauge extends Family {
        private final GaugeSnapshot.Builder builder;
        private boolean empty = true;

        private Gauge(String name, String help) {
            super(name, help);
            builder = GaugeSnapshot.builder().name(name).help(help).unit(unitOf(name));
        }

        Gauge add(Labels labels, double value) {
            builder.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
            empty = false;
            return this;
        }

        @Override
        boolean isEmpty() {
            return empty;
        }

        @Override
        MetricSnapshot build() {
            return builder.build();
        }
    }

    static final class Counter extends Family {
        private final CounterSnapshot.Builder builder;
        private boolean empty = true;

        private Counter(String name, String help) {
            super(name, help);
            builder = CounterSnapshot.builder().name(name).help(help).unit(unitOf(name));
        }

        Counter add(Labels labels, double value) {
            builder.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(value).build());
            empty = false;
            return this;
        }

        @Override
        boolean isEmpty() {
            return empty;
        }

        @Override
        MetricSnapshot build() {
            return builder.build();
        }
    }

    /** A latency histogram in seconds with the buckets of {@link LatencyBuckets}. */
    static final class Histogram extends Family {
        private final HistogramSnapshot.Builder builder;
        private boolean empty = true;

        private Histogram(String name, String help) {
            super(name, help);
            builder = HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS);
        }

        Histogram add(Labels labels, LatencyHistogram histogram) {
            long[] counts = new long[LatencyBuckets.COUNT];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = histogram.bucket(i);
            }
            builder.dataPoint(HistogramDataPointSnapshot.builder().labels(labels)
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS_SECONDS, counts))
                    .sum(seconds(histogram.sumMicros())).build());
            empty = false;
            return this;
        }

        @Override
        boolean isEmpty() {
            return empty;
        }

        @Override
        MetricSnapshot build() {
            return builder.build();
        }
    }
}
