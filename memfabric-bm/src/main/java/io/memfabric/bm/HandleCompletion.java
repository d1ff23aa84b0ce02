package io.memfabric.bm;

import io.memfabric.copy.CopyHandle;
import io.memfabric.error.MemFabricTimeoutException;

import java.time.Duration;

/**
 * A {@link CopyCompletion} over the copy engine's {@link CopyHandle}.
 *
 * <p>Thread safety: as {@link CopyHandle}: any thread may poll or await.
 */
final class HandleCompletion implements CopyCompletion {
    private final CopyHandle handle;

    HandleCompletion(CopyHandle handle) {
        this.handle = handle;
    }

    @Override
    public int poll() {
        return handle.poll();
    }

    @Override
    public void await() {
        handle.await();
    }

    @Override
    public boolean await(Duration timeout) {
        try {
            handle.await(timeout);
            return true;
        } catch (MemFabricTimeoutException e) {
            if (handle.isDone()) {
                throw e; // The copy itself failed with a timeout.
            }
            return false;
        }
    }

    @Override
    public String toString() {
        return handle.toString();
    }
}
