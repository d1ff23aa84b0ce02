package io.memfabric.common.fault;

import io.memfabric.error.ConfigurationException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Arms {@link FaultPoint}s. Tests call {@link #activate} and close what it returns:
 * <pre>{@code
 * try (FaultActivation slow = FaultInjector.activate("store.client.send", FaultAction.delay(ofMillis(200)).times(3))) {
 *     ... // the next three sends of the store client stall 200 ms each
 *     assertEquals(3, slow.fired());
 * }
 * }</pre>
 * An operator arms points without code, in any memfabric process:
 * <ul>
 *   <li>the setting {@value #POINTS_PROP} (system property or {@code MEMFABRIC_FAULT_POINTS}), read when the first
 *       point is created: {@code store.client.send=delay:200ms*3, slot.create=fail};</li>
 *   <li>the file named by {@value #FILE_PROP}, one {@code point=action} per line ({@code #} starts a comment; a
 *       {@code {pid}} in the name is replaced by the process id). It is read at start and again whenever it changes
 *       (checked every second by one daemon thread, started only when the setting is given), so faults can be
 *       armed and disarmed in a running process, as upstream's {@code /tmp/mf_failpoints_<pid>.conf}.</li>
 * </ul>
 * The action grammar is {@link FaultAction#parse}'s. The point names each layer defines are listed in
 * docs/fault-injection.md.
 *
 * <p>Thread safety: safe from any thread.
 */
public final class FaultInjector {
    /** Faults armed at start: {@code point=action} pairs separated by commas. Property {@value}. */
    public static final String POINTS_PROP = "memfabric.fault.points";
    /** A file of {@code point=action} lines, re-read when it changes ({@code {pid}}: the pid). Property {@value}. */
    public static final String FILE_PROP = "memfabric.fault.file";

    private FaultInjector() {
    }

    /**
     * Arms {@code action} on the point named {@code point} (created if no code has created it yet), replacing any
     * action armed there.
     *
     * @return the activation; closing it disarms the point
     * @throws IllegalArgumentException when the name is not a point name
     */
    public static FaultActivation activate(String point, FaultAction action) {
        return activate(FaultPoint.of(point), action);
    }

    /**
     * Arms {@code action} on {@code point}, replacing any action armed there.
     *
     * @return the activation; closing it disarms the point
     */
    public static FaultActivation activate(FaultPoint point, FaultAction action) {
        FaultActivation activation = new FaultActivation(Objects.requireNonNull(point, "point"),
                Objects.requireNonNull(action, "action"));
        point.arm(activation);
        return activation;
    }

    /**
     * Parses a list of faults: {@code point=action} pairs separated by commas or line breaks; blank entries and
     * {@code #} comments (to the end of the line) are ignored.
     *
     * @return point name to action, in the order given (a point named twice keeps its last action)
     * @throws ConfigurationException naming the entry that does not parse
     */
    public static Map<String, FaultAction> parse(String text) {
        Map<String, FaultAction> faults = new LinkedHashMap<>();
        for (String line : Objects.requireNonNull(text, "text").split("\\R")) {
            int hash = line.indexOf('#');
            String content = hash < 0 ? line : line.substring(0, hash);
            for (String entry : content.split(",")) {
                String trimmed = entry.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                int eq = trimmed.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigurationException("fault '" + trimmed + "' (expected: point=action, e.g. "
                            + "store.client.send=delay:200ms*3)");
                }
                String name = trimmed.substring(0, eq).trim();
                try {
                    FaultPoint.of(name);
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException("fault '" + trimmed + "': " + e.getMessage());
                }
                faults.put(name, FaultAction.parse(trimmed.substring(eq + 1)));
            }
        }
        return faults;
    }

    /** @return the names of every point created so far (their code is loaded, or a fault names them), sorted. */
    public static SortedSet<String> points() {
        return FaultPoint.names();
    }

    /** @return the points armed now, with their actions (for diagnostics: {@code memfabric info}). */
    public static SortedMap<String, FaultAction> armed() {
        SortedMap<String, FaultAction> armed = new TreeMap<>();
        for (String name : FaultPoint.names()) {
            FaultActivation activation = FaultPoint.of(name).activation();
            if (activation != null) {
                armed.put(name, activation.action());
            }
        }
        return armed;
    }
}
