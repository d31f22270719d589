package io.pgmux.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.PoolManager;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Everything {@code /metrics} shows: Micrometer's Prometheus registry with the JVM and process binders, and the
 * pools' families ({@link PoolCollector}). One per running pgmux; {@link #close} unhooks the GC listener.
 */
public final class MetricsRegistry implements AutoCloseable {
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public MetricsRegistry(PgmuxConfig config, PoolManager pools, Readiness readiness) {
        this(config, pools, readiness, database -> false);
    }

    /** @param disabled whether new logins to a database are refused (DISABLE), for pgbouncer_databases_disabled */
    public MetricsRegistry(PgmuxConfig config, PoolManager pools, Readiness readiness,
                           java.util.function.Predicate<String> disabled) {
        lintClean();
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        registry.getPrometheusRegistry().register(new PoolCollector(config, pools, readiness, disabled));
    }

    /**
     * Two of ProcessorMetrics' names break Prometheus' naming rules (promtool check metrics rejects them): the
     * process CPU time counted in nanoseconds ({@code process_cpu_time_ns_total}; published instead as the standard
     * {@code process_cpu_seconds_total}) and a gauge ending in {@code _count} ({@code system_cpu_count}, the
     * processors available to the JVM; published as {@code jvm_available_processors}).
     */
    private void lintClean() {
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("jvm.available.processors") : id;
            }
        });
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot && hotspot.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", hotspot, b -> b.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds").description("CPU time used by the pgmux process").register(registry);
        }
    }

    /** Adds meters of a part that keeps its own (the fleet's lease keeper). */
    public void bind(io.micrometer.core.instrument.binder.MeterBinder binder) {
        binder.bindTo(registry);
    }

    /**
     * Writes a scrape in the format the {@code Accept} header asks for: OpenMetrics 1.0 when it names
     * {@code application/openmetrics-text}, else Prometheus text 0.0.4. Returns the Content-Type written.
     */
    public String scrape(String accept, OutputStream out) throws IOException {
        String contentType = accept != null && accept.contains("application/openmetrics-text")
                ? OPENMETRICS : PROMETHEUS_TEXT;
        registry.scrape(out, contentType);
        return contentType;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
