package io.memfabric.copy;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One part of a copy that runs on a worker or on the thread that waits for it, whichever claims it first: a whole
 * asynchronous copy, one stripe of a large tcp transfer, or one batch group. It reports to a {@link CopyHandle}.
 *
 * <p>Thread safety: {@link #run()} may be called by several threads; exactly one of them executes the part.
 */
abstract class PartTask implements Runnable {
    private final AtomicBoolean claimed = new AtomicBoolean();
    final CopyHandle handle;

    PartTask(CopyHandle handle) {
        this.handle = handle;
    }

    /** @return whether this thread won the part and must execute it. */
    final boolean claim() {
        return !claimed.get() && claimed.compareAndSet(false, true);
    }

    @Override
    public final void run() {
        if (claim()) {
            execute();
        }
    }

    /** Runs the part and reports to the handle; never throws. */
    final void execute() {
        try {
            body();
            handle.partDone();
        } catch (MemFabricException e) {
            handle.partFailed(e);
        } catch (RuntimeException | Error e) {
            handle.partFailed(new MemFabricException(ErrorCode.ERROR, "copy failed: " + e, e));
        }
    }

    /** The copy itself; throws its failure. */
    abstract void body();
}
