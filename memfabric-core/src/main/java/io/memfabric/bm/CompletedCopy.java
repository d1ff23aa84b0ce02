package io.memfabric.bm;

import io.memfabric.error.MemFabricException;

import java.time.Duration;

/**
 * A {@link CopyCompletion} that is already complete: the copy ran in the calling thread.
 *
 * <p>Thread safety: immutable.
 */
final class CompletedCopy implements CopyCompletion {
    /** The shared successful completion. */
    static final CompletedCopy DONE_COPY = new CompletedCopy(null);

    private final MemFabricException failure;

    private CompletedCopy(MemFabricException failure) {
        this.failure = failure;
    }

    /** @return a completion that reports {@code failure}. */
    static CompletedCopy failed(MemFabricException failure) {
        return new CompletedCopy(failure);
    }

    @Override
    public int poll() {
        return failure == null ? DONE : failure.code().value();
    }

    @Override
    public void await() {
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public boolean await(Duration timeout) {
        await();
        return true;
    }
}
