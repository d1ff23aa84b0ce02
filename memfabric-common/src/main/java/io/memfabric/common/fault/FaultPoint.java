package io.memfabric.common.fault;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A named place in the code where a fault can be injected: {@code store.client.send}, {@code slot.create}. The code
 * holds its points in {@code static final} fields and calls {@link #fire()} (or {@link #failed()}) where the real
 * failure would happen:
 * <pre>{@code
 * private static final FaultPoint SEND = FaultPoint.of("store.client.send");
 * ...
 * if (SEND.failed()) {
 *     connection.close(new StoreException(STORE_IO_ERROR, "fault injected at " + SEND.name()));
 *     return;
 * }
 * }</pre>
 * A point is off until a test ({@link FaultInjector#activate}) or an operator ({@link FaultInjector#POINTS_PROP},
 * {@link FaultInjector#FILE_PROP}) arms it with a {@link FaultAction}. Off, a check costs one read of a
 * {@code static final} field and one volatile read of a null reference (a plain load on x86 and ARM: no fence), and
 * allocates nothing; see {@code FaultPointBenchmark} in memfabric-bench.
 *
 * <p>There is one point per name in a JVM: {@link #of} returns the same object for the same name, and a point may be
 * armed before the code that checks it is loaded.
 *
 * <p>Thread safety: safe from any thread; a point is checked concurrently by every thread that passes it.
 */
public final class FaultPoint {
    /** Names are dotted lower-case words, the layer first: {@code store.client.send}, {@code slot.create}. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*");
    private static final ConcurrentHashMap<String, FaultPoint> POINTS = new ConcurrentHashMap<>();
    private static final VarHandle ARMED;

    static {
        try {
            ARMED = MethodHandles.lookup().findVarHandle(FaultPoint.class, "armed", FaultActivation.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    /** The activation in force, or null (the point is off). Written by arm/disarm; read on every check. */
    private volatile FaultActivation armed;

    private FaultPoint(String name) {
        this.name = name;
    }

    /**
     * Returns the point of this name, creating it on first use, with the faults configured through
     * {@link FaultInjector#POINTS_PROP} or {@link FaultInjector#FILE_PROP} already applied.
     *
     * @param name dotted lower-case words, e.g. {@code store.client.send}
     * @return the one point of that name in this JVM
     * @throws IllegalArgumentException when the name is not of that form
     */
    public static FaultPoint of(String name) {
        FaultPoint point = POINTS.get(Objects.requireNonNull(name, "name"));
        if (point == null) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("fault point name='" + name + "' (expected: dotted lower-case "
                        + "words, e.g. store.client.send)");
            }
            point = POINTS.computeIfAbsent(name, FaultPoint::new);
        }
        ConfiguredFaults.ensureApplied();
        return point;
    }

    /** @return the names of every point created so far, sorted (points appear when their code is loaded). */
    static SortedSet<String> names() {
        return new TreeSet<>(POINTS.keySet());
    }

    /** @return this point's name. */
    public String name() {
        return name;
    }

    /** @return whether an action is armed on this point now. */
    public boolean isArmed() {
        return armed != null;
    }

    /**
     * Passes the point: nothing when it is off; otherwise the armed action, when its skip and count say so: a delay
     * sleeps the calling thread, a kill halts the process, a failure throws.
     *
     * @throws RuntimeException the armed failure's exception ({@link InjectedFaultException} unless the action names
     *                          another)
     */
    public void fire() {
        FaultActivation activation = armed;
        if (activation != null) {
            activation.apply(true);
        }
    }

    /**
     * Passes the point, for code that reports a failure as a status rather than an exception: as {@link #fire()},
     * but an armed failure is returned instead of thrown.
     *
     * @return true when a failure fired here: the caller fails as the real fault would (closes the connection,
     *         returns its error); false otherwise (also after a delay)
     */
    public boolean failed() {
        FaultActivation activation = armed;
        return activation != null && activation.apply(false);
    }

    /** @return the activation armed now, or null. */
    FaultActivation activation() {
        return armed;
    }

    /** Arms {@code activation}, replacing any other; package-private: through {@link FaultInjector#activate}. */
    void arm(FaultActivation activation) {
        armed = activation;
    }

    /** Disarms the point if {@code activation} is still the one armed. */
    void disarm(FaultActivation activation) {
        ARMED.compareAndSet(this, activation, null);
    }

    @Override
    public String toString() {
        FaultActivation activation = armed;
        return "FaultPoint{" + name + (activation == null ? "" : ", " + activation.action()) + "}";
    }
}
