package io.memfabric.common;

import java.util.function.Consumer;

/**
 * Closing things that may fail (after Agrona's CloseHelper). {@link #quietClose} is for failure paths only; a normal
 * close reports its failures through {@link #close}, {@link #closeAll} or {@link #close(Consumer, AutoCloseable)}.
 *
 * <p>Thread safety: stateless.
 */
public final class CloseHelper {
    private CloseHelper() {
    }

    /** Closes {@code closeable} (null-safe), swallowing any failure. For failure paths only. */
    public static void quietClose(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Failure path: the original failure is the one that matters.
        }
    }

    /** Closes {@code closeable} (null-safe), rethrowing any failure unchecked. */
    public static void close(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("close failed: " + e.getMessage(), e);
        }
    }

    /** Closes {@code closeable} (null-safe), handing any failure to {@code errorHandler}. */
    public static void close(Consumer<? super Exception> errorHandler, AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            errorHandler.accept(e);
        }
    }

    /**
     * Closes every item in order, even when some fail; throws the first failure with the rest attached as suppressed.
     */
    public static void closeAll(AutoCloseable... closeables) {
        Exception first = null;
        for (AutoCloseable closeable : closeables) {
            if (closeable == null) {
                continue;
            }
            try {
                closeable.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first != null) {
            throw new IllegalStateException("close failed: " + first.getMessage(), first);
        }
    }
}
