package io.memfabric.config;

import io.memfabric.error.ConfigurationException;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads settings with one precedence everywhere: system property {@code memfabric.a.b}, then environment variable
 * {@code MEMFABRIC_A_B} (upper case, dots become underscores: the mapping is mechanical, so no table is needed), then
 * the default. A value that does not parse stops start-up with a message that names the key, the value, where it
 * came from and what was expected — it is never ignored.
 *
 * <p>Sizes take {@code k/m/g/t} suffixes (powers of 1024); durations take {@code ns/us/ms/s/m/h} (a bare number is
 * milliseconds).
 *
 * <p>Thread safety: stateless; safe from any thread.
 */
public final class Config {
    private Config() {
    }

    /** Where a setting's value came from. */
    public enum Source {
        /** A {@code -Dmemfabric.*} system property. */
        SYSTEM_PROPERTY,
        /** A {@code MEMFABRIC_*} environment variable. */
        ENVIRONMENT,
        /** The documented default. */
        DEFAULT
    }

    /**
     * A raw setting and its origin.
     *
     * @param key    the property name
     * @param value  the raw text, or {@code null} for the default
     * @param source where the text came from
     */
    public record Raw(String key, String value, Source source) {
        String describe() {
            return key + "=" + value + " (" + source.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")";
        }
    }

    /**
     * @param propertyName a property name such as {@code memfabric.store.timeout}
     * @return the environment variable name it maps to, e.g. {@code MEMFABRIC_STORE_TIMEOUT}
     */
    public static String envName(String propertyName) {
        return propertyName.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * @param key a property name
     * @return the raw text and where it came from (system property, then environment)
     */
    public static Raw raw(String key) {
        return raw(key, System.getenv());
    }

    static Raw raw(String key, Map<String, String> env) {
        String property = System.getProperty(key);
        if (property != null) {
            return new Raw(key, property.trim(), Source.SYSTEM_PROPERTY);
        }
        String fromEnv = env.get(envName(key));
        if (fromEnv != null) {
            return new Raw(key, fromEnv.trim(), Source.ENVIRONMENT);
        }
        return new Raw(key, null, Source.DEFAULT);
    }

    /** @return the string setting, or {@code defaultValue}. */
    public static String string(String key, String defaultValue) {
        Raw raw = raw(key);
        return raw.value() == null ? defaultValue : raw.value();
    }

    /** @return the integer setting, or {@code defaultValue}; fails on text that is not an integer. */
    public static int integer(String key, int defaultValue) {
        return parse(key, defaultValue, "an integer (expected: e.g. 42)", Integer::parseInt);
    }

    /** @return the long setting, or {@code defaultValue}; fails on text that is not an integer. */
    public static long longValue(String key, long defaultValue) {
        return parse(key, defaultValue, "an integer (expected: e.g. 42)", Long::parseLong);
    }

    /** @return the boolean setting ({@code true/false/1/0/yes/no/on/off}), or {@code defaultValue}. */
    public static boolean bool(String key, boolean defaultValue) {
        return parse(key, defaultValue, "a boolean (expected: true or false)", Config::parseBoolean);
    }

    /** @return the size setting in bytes, or {@code defaultValue}. */
    public static long size(String key, long defaultValue) {
        return parse(key, defaultValue, "a size (expected: e.g. 64m)", Config::parseSize);
    }

    /** @return the duration setting, or {@code defaultValue}. */
    public static Duration duration(String key, Duration defaultValue) {
        return parse(key, defaultValue, "a duration (expected: e.g. 120s)", Config::parseDuration);
    }

    private static <T> T parse(String key, T defaultValue, String what, Function<String, T> parser) {
        Raw raw = raw(key);
        if (raw.value() == null) {
            return defaultValue;
        }
        try {
            return parser.apply(raw.value());
        } catch (RuntimeException e) {
            throw new ConfigurationException(raw.describe() + ": not " + what);
        }
    }

    /**
     * Parses a boolean word.
     *
     * @param text {@code true/false/1/0/yes/no/on/off}, any case
     * @return the value
     * @throws IllegalArgumentException on any other text
     */
    public static boolean parseBoolean(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException("not a boolean: " + text);
        };
    }

    /**
     * Parses a size such as {@code 4096}, {@code 64k}, {@code 256m}, {@code 1g} or {@code 2t} (powers of 1024;
     * an optional trailing {@code b} or {@code ib} is accepted: {@code 64MiB}, {@code 64mb}).
     *
     * @param text the size
     * @return bytes, never negative
     * @throws IllegalArgumentException when the text is not a size or overflows a {@code long}
     */
    public static long parseSize(String text) {
        String s = Objects.requireNonNull(text, "text").trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("not a size: '" + text + "'");
        }
        int shift = switch (s.charAt(s.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        long value = Long.parseLong(digits.trim());
        if (value < 0 || value > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size out of range: '" + text + "'");
        }
        return value << shift;
    }

    /**
     * Parses a duration such as {@code 500ms}, {@code 120s}, {@code 20us}, {@code 100ns}, {@code 5m}, {@code 1h}, or a
     * bare number of milliseconds. Also accepts ISO-8601 ({@code PT2S}).
     *
     * @param text the duration
     * @return the duration, never negative
     * @throws IllegalArgumentException when the text is not a duration
     */
    public static Duration parseDuration(String text) {
        String s = Objects.requireNonNull(text, "text").trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("pt") || s.startsWith("p")) {
            return nonNegative(Duration.parse(text.trim()), text);
        }
        Duration d;
        if (s.endsWith("ns")) {
            d = Duration.ofNanos(Long.parseLong(s.substring(0, s.length() - 2).trim()));
        } else if (s.endsWith("us")) {
            d = Duration.ofNanos(Math.multiplyExact(Long.parseLong(s.substring(0, s.length() - 2).trim()), 1000L));
        } else if (s.endsWith("ms")) {
            d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
        } else if (s.endsWith("s")) {
            d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()));
        } else if (s.endsWith("m")) {
            d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1).trim()));
        } else if (s.endsWith("h")) {
            d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1).trim()));
        } else {
            d = Duration.ofMillis(Long.parseLong(s));
        }
        return nonNegative(d, text);
    }

    private static Duration nonNegative(Duration d, String text) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative duration: '" + text + "'");
        }
        return d;
    }

    /**
     * Checks an argument.
     *
     * @param name     the argument's name
     * @param value    its value
     * @param min      the smallest allowed value
     * @param max      the largest allowed value
     * @return {@code value}
     * @throws ConfigurationException {@code name=value (expected: min..max)}
     */
    public static long requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigurationException(name + "=" + value + " (expected: " + min + ".." + max + ")");
        }
        return value;
    }

    /**
     * Checks that a duration is positive.
     *
     * @param name  the argument's name
     * @param value its value
     * @return {@code value}
     * @throws ConfigurationException {@code name=value (expected: > 0)}
     */
    public static Duration requirePositive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new ConfigurationException(name + "=" + value + " (expected: > 0)");
        }
        return value;
    }
}
