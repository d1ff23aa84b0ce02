package io.memfabric.cli.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects result rows of a benchmark and prints them as an aligned table or as JSON Lines (one object per row).
 *
 * <p>Thread safety: confined to the benchmark's main thread.
 */
final class BenchReport {
    private final String bench;
    private final List<Map<String, Object>> rows = new ArrayList<>();

    BenchReport(String bench) {
        this.bench = bench;
    }

    /** Starts a row; fill it with {@link Row#put}. */
    Row row(String test) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("bench", bench);
        fields.put("test", test);
        rows.add(fields);
        return new Row(fields);
    }

    /** A result row under construction. */
    static final class Row {
        private final Map<String, Object> fields;

        Row(Map<String, Object> fields) {
            this.fields = fields;
        }

        Row put(String key, Object value) {
            fields.put(key, value);
            return this;
        }
    }

    void printJson(PrintStream out) {
        for (Map<String, Object> row : rows) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<String, Object> e : row.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append('"').append(escape(e.getKey())).append("\":");
                Object v = e.getValue();
                if (v instanceof Number n) {
                    sb.append(formatNumber(n));
                } else if (v == null) {
                    sb.append("null");
                } else {
                    sb.append('"').append(escape(String.valueOf(v))).append('"');
                }
            }
            out.println(sb.append('}'));
        }
    }

    void printTable(PrintStream out) {
        List<String> columns = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            for (String key : row.keySet()) {
                if (!columns.contains(key) && !key.equals("bench")) {
                    columns.add(key);
                }
            }
        }
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (String c : columns) {
            int w = c.length();
            for (Map<String, Object> row : rows) {
                w = Math.max(w, cell(row.get(c)).length());
            }
            widths.put(c, w);
        }
        StringBuilder header = new StringBuilder();
        for (String c : columns) {
            header.append(String.format("%-" + widths.get(c) + "s  ", c));
        }
        out.println(header.toString().stripTrailing());
        for (Map<String, Object> row : rows) {
            StringBuilder line = new StringBuilder();
            for (String c : columns) {
                line.append(String.format("%-" + widths.get(c) + "s  ", cell(row.get(c))));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String cell(Object v) {
        if (v == null) {
            return "-";
        }
        return v instanceof Number n ? formatNumber(n) : String.valueOf(v);
    }

    private static String formatNumber(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return "null";
            }
            return Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.3f", d);
        }
        return String.valueOf(n);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
