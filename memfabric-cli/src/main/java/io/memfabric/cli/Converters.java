package io.memfabric.cli;

import io.memfabric.config.Config;
import io.memfabric.copy.Route;
import io.memfabric.error.ConfigurationException;
import io.memfabric.store.StoreUrl;
import picocli.CommandLine;

import java.time.Duration;

/**
 * picocli converters for memfabric's value syntax: sizes ({@code 64m}), durations ({@code 2s}), store URLs, routes.
 * A value they reject is a usage error (exit code 2) that names the option, the value and what is expected.
 */
public final class Converters {
    private Converters() {
    }

    /** {@code 4096}, {@code 64k}, {@code 256m}, {@code 1g}. */
    public static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Config.parseSize(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a size (expected: e.g. 64m)");
            }
        }
    }

    /** {@code 500ms}, {@code 2s}, {@code 20us}. */
    public static final class Time implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Config.parseDuration(value);
            } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a duration (expected: e.g. 2s, 500ms)");
            }
        }
    }

    /** {@code tcp://127.0.0.1:7000} or {@code tcp://[::1]:7000}. */
    public static final class Url implements CommandLine.ITypeConverter<StoreUrl> {
        @Override
        public StoreUrl convert(String value) {
            try {
                return StoreUrl.parse(value);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code shm}, {@code cma} or {@code tcp}. */
    public static final class RouteName implements CommandLine.ITypeConverter<Route> {
        @Override
        public Route convert(String value) {
            try {
                return Route.parse(value);
            } catch (ConfigurationException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a route (expected: shm, cma "
                        + "or tcp)");
            }
        }
    }
}
