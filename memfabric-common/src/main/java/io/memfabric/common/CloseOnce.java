package io.memfabric.common;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The closed flag of a resource whose {@code close()} must run once (STYLE B3: idempotent close through a CAS, like
 * {@code Aeron.close()}). One field replaces the {@code VarHandle CLOSED} block that every closeable would otherwise
 * repeat:
 * <pre>{@code
 * private final CloseOnce closed = new CloseOnce();
 * public void close() {
 *     if (!closed.begin()) {
 *         return;                       // a second close does nothing
 *     }
 *     CloseHelper.closeAll(...);
 * }
 * void ensureOpen() {
 *     if (closed.isClosed()) throw new MemFabricException(NOT_INITIALIZED, "... is closed");
 * }
 * }</pre>
 *
 * <p>Thread safety: any method from any thread; {@link #begin()} returns {@code true} to exactly one caller.
 */
public final class CloseOnce {
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(CloseOnce.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through CLOSED
    private volatile boolean closed;

    /**
     * Marks the resource closed.
     *
     * @return {@code true} for the one caller that closed it (it runs the close steps), {@code false} for every later
     *         caller
     */
    public boolean begin() {
        return CLOSED.compareAndSet(this, false, true);
    }

    /** @return whether {@link #begin()} has been called (a volatile read). */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return closed ? "closed" : "open";
    }
}
