package io.pgmux.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A GET from pgmux's metrics endpoint, and a parser of the Prometheus text format good enough for tests: each
 * sample line {@code name{a="x",b="y"} value} becomes one entry keyed by name and labels (escapes are not
 * decoded; pgmux's label values in tests need none).
 */
record Scrape(int status, String body) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Scrape get(ProxyFixture proxy, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.metricsPort() + path)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Scrape(response.statusCode(), response.body());
    }

    static Scrape metrics(ProxyFixture proxy) throws IOException, InterruptedException {
        Scrape scrape = get(proxy, "/metrics");
        if (scrape.status() != 200) {
            throw new AssertionError("/metrics answered " + scrape.status() + ": " + scrape.body());
        }
        return scrape;
    }

    /** One sample's value, e.g. {@code value("pgmux_queries_total", "database", "app", "user", "u")}; labels in
     * any order, all of them given; NaN when there is no such sample. */
    double value(String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        Map<String, Double> samples = samples(name);
        Double value = samples.get(wanted.toString());
        return value == null ? Double.NaN : value;
    }

    /** Every sample of {@code name}, keyed by its labels as a sorted map's toString, e.g. {@code {a=x, b=y}}. */
    Map<String, Double> samples(String name) {
        Map<String, Double> result = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String sampleName = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            if (!sampleName.equals(name)) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (brace >= 0) {
                String inner = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : inner.split("\",")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    String value = pair.substring(eq + 2);
                    labels.put(pair.substring(0, eq), value.endsWith("\"") ? value.substring(0, value.length() - 1)
                            : value);
                }
            }
            result.put(labels.toString(), Double.parseDouble(line.substring(space + 1)));
        }
        return result;
    }
}
