package io.memfabric.cli;

import java.util.Locale;

/** Human-readable sizes: 4K, 1M, 256M, 1G (powers of 1024, as the options take them). */
public final class Sizes {
    private Sizes() {
    }

    /**
     * @param bytes a size
     * @return it in the largest unit that divides it exactly, e.g. {@code 4K}, {@code 1M}, {@code 64M}, {@code 100B}
     */
    public static String format(long bytes) {
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

    /**
     * @param bytes a size, e.g. free space
     * @return it rounded to one decimal in the largest unit it reaches, e.g. {@code 23.5G}
     */
    public static String rounded(long bytes) {
        String[] units = {"B", "K", "M", "G", "T"};
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return (unit == 0 ? String.valueOf(bytes) : String.format(Locale.ROOT, "%.1f", value)) + units[unit];
    }
}
