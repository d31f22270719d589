package io.pgmux.cli.status;

import java.util.ArrayList;
import java.util.List;

/** Columns padded to their widest cell, as psql's aligned output; numbers are right-aligned. */
public final class TextTable {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    TextTable(List<String> headers) {
        this.headers = List.copyOf(headers);
    }

    void add(List<String> row) {
        if (row.size() != headers.size()) {
            throw new IllegalArgumentException(row.size() + " cells for " + headers.size() + " columns");
        }
        rows.add(row.stream().map(cell -> cell == null ? "" : cell).toList());
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The table, each line indented by {@code indent} and ending with a line break. */
    String render(String indent) {
        int[] widths = new int[headers.size()];
        boolean[] numeric = new boolean[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
            numeric[i] = !rows.isEmpty();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
                numeric[i] &= row.get(i).matches("-?[0-9]+(\\.[0-9]+)?");
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, indent, headers, widths, new boolean[headers.size()]);
        for (List<String> row : rows) {
            line(out, indent, row, widths, numeric);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String indent, List<String> cells, int[] widths, boolean[] right) {
        StringBuilder line = new StringBuilder(indent);
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            String pad = " ".repeat(widths[i] - cell.length());
            line.append(i == 0 ? "" : "  ").append(right[i] ? pad + cell : cell + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}
