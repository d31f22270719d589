package io.pgmux.docker;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names pgmux documents (README, section "Metrics and health": the tables' first column, the series
 * a histogram adds) and the metric names a PromQL expression reads. The README's table is the published
 * contract that dashboards and alerts are written against, so they are checked against it rather than against
 * one scrape, which shows a pool's series only once the pool exists.
 */
final class MetricNames {
    /** Series Prometheus writes itself for every scrape target. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private static final Pattern ROW = Pattern.compile("^\\|([^|]+)\\|([^|]*)\\|", Pattern.MULTILINE);
    private static final Pattern CODE = Pattern.compile("`([a-zA-Z_:][a-zA-Z0-9_:]*)`");

    /** PromQL words that look like names: binary operators, modifiers, and the literals inf and nan. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

    private MetricNames() {
    }

    /** Every series name the README's metric tables document, plus {@code up}. */
    static Set<String> documented() {
        String readme = Repository.read(Repository.ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Metrics and health\n");
        if (start < 0) {
            throw new AssertionError("README.md has no section \"Metrics and health\"");
        }
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Set<String> names = new TreeSet<>(PROMETHEUS_OWN);
        Matcher row = ROW.matcher(section);
        while (row.find()) {
            boolean histogram = "histogram".equals(row.group(2).strip());
            Matcher code = CODE.matcher(row.group(1));
            while (code.find()) {
                String name = code.group(1);
                if (name.startsWith("_")) {
                    continue; // a suffix shorthand of the PgBouncer-compatible table
                }
                if (histogram) {
                    names.add(name + "_bucket");
                    names.add(name + "_sum");
                    names.add(name + "_count");
                } else {
                    names.add(name);
                }
            }
        }
        if (!names.contains("pgmux_ready")) {
            throw new AssertionError("the README's metric table was not found or not read: " + names);
        }
        return names;
    }

    /**
     * The metric names an expression selects: what remains once label matchers, range selectors, strings and
     * grouping label lists are removed, minus function and aggregation names (followed by a parenthesis) and
     * PromQL's keywords. Grafana's variables ($var, ${var}) sit in matchers and ranges, so they go with them.
     */
    static Set<String> usedBy(String promql) {
        String text = STRINGS.matcher(promql).replaceAll("\"\"");
        text = LABEL_MATCHERS.matcher(text).replaceAll(" ");
        text = RANGES.matcher(text).replaceAll(" ");
        text = GROUPING.matcher(text).replaceAll(" "); // so that "sum by (x) (" reads as the call "sum ("
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(text);
        while (identifier.find()) {
            String word = identifier.group(1);
            if (identifier.group(2) == null && !KEYWORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }
}
