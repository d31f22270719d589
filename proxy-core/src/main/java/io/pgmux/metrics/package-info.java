/**
 * The HTTP endpoint on {@code metrics.host:port}: {@code /metrics} for Prometheus (Micrometer's Prometheus
 * registry: JVM and process binders, plus the pools' gauges, counters and histograms read from pool snapshots and
 * the {@link io.pgmux.stats statistics model} at scrape time), and the probes {@code /health/live} and
 * {@code /health/ready}. Every metric name, label and unit is listed in the README ("Metrics and health").
 */
package io.pgmux.metrics;
