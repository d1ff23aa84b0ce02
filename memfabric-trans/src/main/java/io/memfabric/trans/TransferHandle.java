package io.memfabric.trans;

import io.memfabric.copy.CopyHandle;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The completion of an asynchronous transfer or batch ({@link TransferEngine#writeAsync}, {@link
 * TransferEngine#batchWriteAsync}, ...). Polling is the status form (for loops that must not throw), awaiting the
 * exception form, and {@link #toCompletableFuture()} composes with other futures. A batch's handle completes when
 * every element has ended; the batch then holds each element's result, and the handle itself fails only when the
 * batch could not run at all.
 *
 * <p>Thread safety: any method from any thread, any number of times.
 */
public final class TransferHandle {
    /** {@link #poll()}: completed successfully. */
    public static final int DONE = CopyHandle.DONE;
    /** {@link #poll()}: still running. */
    public static final int PENDING = CopyHandle.PENDING;

    private final CopyHandle handle;
    /** Publishes a batch's results when the handle completes; null for a single transfer. */
    private final Runnable onComplete;
    private final Object lock = new Object();
    private boolean published;
    private CompletableFuture<Void> future;

    TransferHandle(CopyHandle handle, Runnable onComplete) {
        this.handle = handle;
        this.onComplete = onComplete;
    }

    /**
     * Reads the status without waiting or allocating.
     *
     * @return {@link #DONE}, {@link #PENDING}, or the negative {@code ErrorCode} value of the failure (then
     *         {@link #await()} throws it)
     */
    public int poll() {
        int status = handle.poll();
        if (status != PENDING) {
            publish();
        }
        return status;
    }

    /** @return whether the transfer has ended, successfully or not. */
    public boolean isDone() {
        return poll() != PENDING;
    }

    /**
     * Waits for the transfer.
     *
     * @throws MemFabricException its failure, typed ({@code PEER_UNAVAILABLE}, {@code ADDRESS_OUT_OF_RANGE}, ...)
     */
    public void await() {
        try {
            handle.await();
        } finally {
            if (handle.isDone()) {
                publish();
            }
        }
    }

    /**
     * Waits at most {@code timeout}.
     *
     * @return whether it completed (successfully) in time; {@code false} while it is still running
     * @throws MemFabricException its failure
     */
    public boolean await(Duration timeout) {
        try {
            handle.await(timeout);
            publish();
            return true;
        } catch (MemFabricTimeoutException e) {
            if (handle.isDone()) {
                publish();
                throw e;
            }
            return false;
        }
    }

    /**
     * @return a future that completes when the transfer does, exceptionally with its failure; the same future on every
     *         call. Its dependent actions run on the thread that completes the transfer (an engine thread) unless they
     *         are asynchronous: keep them short, or use the {@code *Async} forms
     */
    public CompletableFuture<Void> toCompletableFuture() {
        synchronized (lock) {
            if (future != null) {
                return future;
            }
            future = new CompletableFuture<>();
        }
        CompletableFuture<Void> f = future;
        handle.whenDone(() -> {
            publish();
            try {
                handle.await();
                f.complete(null);
            } catch (MemFabricException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** Publishes a batch's results once, before anyone sees the handle done through this class. */
    private void publish() {
        if (onComplete == null) {
            return;
        }
        synchronized (lock) {
            if (!published) {
                published = true;
                onComplete.run();
            }
        }
    }

    @Override
    public String toString() {
        return "TransferHandle{" + handle + "}";
    }
}
