package io.memfabric.cli;

import java.util.Locale;

/** Human-readable sizes: 4K, 1M, 256M, 1G (powers of 1024, as the options take them). */
final class Sizes {
    private Sizes() {
    }

    static String format(long bytes) {
        String[] units = {"B", "K", "M", "G", "T"};
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < units.length - 1 && (long) value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return (value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value))
                + units[unit];
    }
}
