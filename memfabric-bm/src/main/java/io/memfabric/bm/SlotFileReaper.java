package io.memfabric.bm;

import io.memfabric.common.idle.IdleStrategies;
import io.memfabric.common.idle.ParkingIdleStrategy;
import io.memfabric.copy.PeerDescriptor;
import io.memfabric.memory.MemoryConfig;
import io.memfabric.memory.SlotDescriptor;
import io.memfabric.memory.StaleSlotCleaner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Removes the slot files of a failed peer on this host once its process is gone, in the background: the store may
 * report the failure a moment before the kernel has released the process's lock on its files, and
 * {@link StaleSlotCleaner} removes a file only once its owner is gone and its lock is free, so the reaper tries again
 * until then (at most {@value #GIVE_UP_SECONDS} s).
 *
 * <p>Thread safety: {@link #reap} from any thread; its work runs on one named thread; {@link #close()} once.
 */
final class SlotFileReaper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SlotFileReaper.class);
    private static final long GIVE_UP_SECONDS = 30;
    private static final long PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String label;
    private final String hostId;
    private final ExecutorService executor;
    private volatile boolean closed;

    SlotFileReaper(String label, String hostId, ThreadFactory threadFactory, String threadName) {
        this.label = label;
        this.hostId = hostId;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = threadFactory.newThread(r);
            thread.setName(threadName);
            return thread;
        });
    }

    /** Removes the shared-memory slot files of a failed peer, when it was on this host. */
    void reap(PeerDescriptor lost) {
        if (!hostId.equals(lost.hostId()) || lost.slots().isEmpty()) {
            return;
        }
        List<Path> files = new ArrayList<>();
        for (SlotDescriptor slot : lost.slots()) {
            if (slot.isSharedMemory()) {
                files.add(MemoryConfig.shmDir().resolve(slot.name()));
            }
        }
        try {
            executor.execute(() -> removeWhenStale(lost.rank(), files));
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: closed; not cleaning the files of rank {}", label, lost.rank());
        }
    }

    private void removeWhenStale(int peer, List<Path> files) {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(GIVE_UP_SECONDS);
        // Each poll runs the cleaner once, then looks whether the files are gone.
        boolean removed = IdleStrategies.deadline(() -> {
            StaleSlotCleaner.clean(MemoryConfig.shmDir());
            return closed || files.stream().noneMatch(Files::exists);
        }, deadlineNs, new ParkingIdleStrategy(PAUSE_NS), PAUSE_NS);
        if (removed && files.stream().noneMatch(Files::exists)) {
            LOG.info("{}: slot files of failed rank {} are removed", label, peer);
        } else {
            LOG.info("{}: slot files of failed rank {} are still there: {}", label, peer, files);
        }
    }

    /** Stops at once; files not removed yet stay (the next start of any rank on this host removes stale ones). */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
    }
}
