package io.memfabric.common.fault;

import io.memfabric.config.Config;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * What an armed {@link FaultPoint} does, and how often: {@link #fail() fail} (throw, or report an error to code that
 * checks with {@link FaultPoint#failed()}), {@link #delay(Duration) delay} (sleep the thread that passes the point),
 * or {@link #kill(int) kill} (halt the process at once, without shutdown hooks, as {@code kill -9} would). It fires
 * on every pass unless {@link #times(long)} limits it, after the first {@link #skip(long)} passes.
 *
 * <p>Text form (the {@link FaultInjector#POINTS_PROP} setting and the fault file):
 * {@code kind[:argument][*count][+skip]}, e.g. {@code fail}, {@code fail:STORE_IO_ERROR}, {@code delay:200ms*3},
 * {@code kill:137+2} (halt with status 137 on the third pass).
 *
 * <p>Thread safety: immutable.
 */
public final class FaultAction {
    /** {@link #count()} of an action that fires on every pass. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** The status of {@link #kill()}: what a shell reports for a process killed by SIGKILL (128 + 9). */
    public static final int KILL_STATUS_DEFAULT = 137;

    /** The three kinds of fault. */
    public enum Kind {
        /** Throw an exception, or report an error to {@link FaultPoint#failed()}. */
        FAIL,
        /** Sleep the passing thread (on an event loop, every connection of that loop stalls, as in a GC pause). */
        DELAY,
        /** Halt the process with a status (no shutdown hooks run). */
        KILL
    }

    private final Kind kind;
    private final Function<String, ? extends RuntimeException> failure;
    private final String failureName;
    private final long delayNs;
    private final int status;
    private final long count;
    private final long skip;

    private FaultAction(Kind kind, Function<String, ? extends RuntimeException> failure, String failureName,
                        long delayNs, int status, long count, long skip) {
        this.kind = kind;
        this.failure = failure;
        this.failureName = failureName;
        this.delayNs = delayNs;
        this.status = status;
        this.count = count;
        this.skip = skip;
    }

    /** @return a failure that throws {@link InjectedFaultException} ({@link ErrorCode#ERROR}). */
    public static FaultAction fail() {
        return fail(ErrorCode.ERROR);
    }

    /** @return a failure that throws {@link InjectedFaultException} with {@code code}. */
    public static FaultAction fail(ErrorCode code) {
        Objects.requireNonNull(code, "code");
        return new FaultAction(Kind.FAIL, message -> new InjectedFaultException(code, message), code.name(), 0, 0,
                UNLIMITED, 0);
    }

    /**
     * @param failure makes the exception to throw from the message {@code "fault injected at <point> (pass <n>)"}
     * @return a failure that throws what {@code failure} makes
     */
    public static FaultAction fail(Function<String, ? extends RuntimeException> failure) {
        return new FaultAction(Kind.FAIL, Objects.requireNonNull(failure, "failure"), "custom", 0, 0, UNLIMITED, 0);
    }

    /** @return a delay of {@code duration} (positive) on every pass. */
    public static FaultAction delay(Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new ConfigurationException("fault delay=" + duration + " (expected: > 0)");
        }
        return new FaultAction(Kind.DELAY, null, null, duration.toNanos(), 0, UNLIMITED, 0);
    }

    /** @return a kill with status {@value #KILL_STATUS_DEFAULT}. */
    public static FaultAction kill() {
        return kill(KILL_STATUS_DEFAULT);
    }

    /** @return a kill that halts the process with {@code status} (0..255). */
    public static FaultAction kill(int status) {
        Config.requireRange("fault kill status", status, 0, 255);
        return new FaultAction(Kind.KILL, null, null, 0, status, UNLIMITED, 0);
    }

    /** @return this action, firing on {@code count} passes (at least 1) and then disarming its point. */
    public FaultAction times(long count) {
        Config.requireRange("fault count", count, 1, UNLIMITED);
        return new FaultAction(kind, failure, failureName, delayNs, status, count, skip);
    }

    /** @return this action, letting the first {@code skip} passes through untouched. */
    public FaultAction skip(long skip) {
        Config.requireRange("fault skip", skip, 0, UNLIMITED - 1);
        return new FaultAction(kind, failure, failureName, delayNs, status, count, skip);
    }

    /**
     * Parses the text form {@code kind[:argument][*count][+skip]}.
     *
     * @param text e.g. {@code fail}, {@code fail:STORE_IO_ERROR}, {@code delay:200ms*3}, {@code kill:9+2}
     * @return the action
     * @throws ConfigurationException naming the text and what was expected
     */
    public static FaultAction parse(String text) {
        String s = Objects.requireNonNull(text, "text").trim();
        try {
            long skip = 0;
            int plus = s.lastIndexOf('+');
            if (plus >= 0) {
                skip = Long.parseLong(s.substring(plus + 1).trim());
                s = s.substring(0, plus).trim();
            }
            long count = UNLIMITED;
            int star = s.lastIndexOf('*');
            if (star >= 0) {
                count = Long.parseLong(s.substring(star + 1).trim());
                s = s.substring(0, star).trim();
            }
            int colon = s.indexOf(':');
            String kindText = (colon < 0 ? s : s.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
            String argument = colon < 0 ? null : s.substring(colon + 1).trim();
            FaultAction action = switch (kindText) {
                case "fail" -> argument == null ? fail() : fail(errorCode(argument));
                case "delay" -> delay(Config.parseDuration(Objects.requireNonNull(argument, "delay needs a duration")));
                case "kill" -> argument == null ? kill() : kill(Integer.parseInt(argument));
                default -> throw new IllegalArgumentException("unknown kind '" + kindText + "'");
            };
            action = count == UNLIMITED ? action : action.times(count);
            return skip == 0 ? action : action.skip(skip);
        } catch (RuntimeException e) {
            throw new ConfigurationException("fault action='" + text + "': " + e.getMessage()
                    + " (expected: fail[:ERROR_CODE] | delay:<duration> | kill[:status], then optional *count "
                    + "and +skip, e.g. delay:200ms*3)", e);
        }
    }

    private static ErrorCode errorCode(String name) {
        for (ErrorCode code : ErrorCode.values()) {
            if (code.name().equalsIgnoreCase(name)) {
                return code;
            }
        }
        throw new IllegalArgumentException("unknown error code '" + name + "'");
    }

    /** @return what the action does. */
    public Kind kind() {
        return kind;
    }

    /** @return how many passes it fires on ({@link #UNLIMITED}: every pass). */
    public long count() {
        return count;
    }

    /** @return how many passes it lets through before it fires. */
    public long skip() {
        return skip;
    }

    /** @return the delay, zero unless {@link Kind#DELAY}. */
    public Duration delay() {
        return Duration.ofNanos(delayNs);
    }

    long delayNs() {
        return delayNs;
    }

    /** @return the exit status of a kill, 0 unless {@link Kind#KILL}. */
    public int status() {
        return status;
    }

    /** @return the exception a failure throws at {@code point} on pass {@code pass} (counted from 1). */
    RuntimeException failure(String point, long pass) {
        return failure.apply("fault injected at " + point + " (pass " + pass + ")");
    }

    /** @return the text form ({@link #parse} reads it back, except for a custom failure). */
    @Override
    public String toString() {
        String text = switch (kind) {
            case FAIL -> "fail" + (failureName.equals(ErrorCode.ERROR.name()) ? "" : ":" + failureName);
            case DELAY -> "delay:" + (delayNs % 1_000_000 == 0 ? delayNs / 1_000_000 + "ms" : delayNs + "ns");
            case KILL -> "kill:" + status;
        };
        return text + (count == UNLIMITED ? "" : "*" + count) + (skip == 0 ? "" : "+" + skip);
    }
}
