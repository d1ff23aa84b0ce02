package io.memfabric.transport.cma;

import io.memfabric.error.AddressOutOfRangeException;
import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.PeerLostException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.nativeio.CrossMemoryAttach;
import io.memfabric.transport.LinkUnusableException;
import io.memfabric.transport.PeerLink;
import io.memfabric.transport.Space;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Copies to and from a same-host peer's slots with {@code process_vm_writev/readv}: the kernel copies once between
 * the two address spaces; nothing is mapped. The peer's slot addresses come from its descriptor.
 *
 * <p>Local memory must have an address for the kernel: a heap segment is staged through a per-thread native buffer
 * of {@link #STAGING_BYTES} (a second copy, made only for heap segments).
 *
 * <p>Failures: the peer process is gone ({@code ESRCH}): {@link PeerLostException}; the kernel refuses access to it
 * ({@code EPERM}, e.g. a peer of another user or one that made itself non-dumpable): {@link LinkUnusableException},
 * so the copy layer falls back to another route; the remote range is not mapped ({@code EFAULT}):
 * {@code ADDRESS_OUT_OF_RANGE}.
 *
 * <p>Thread safety: stateless but for the immutable peer data; copies from any thread.
 */
public final class CmaPeerLink implements PeerLink {
    /** Size of the per-thread buffer through which heap segments are staged. */
    static final int STAGING_BYTES = 1 << 20;
    private static final int EPERM = 1;
    private static final int ESRCH = 3;
    private static final int EFAULT = 14;
    private static final ThreadLocal<MemorySegment> STAGING =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STAGING_BYTES, 64));

    private final int rank;
    private final long pid;
    private final long[] addresses = new long[Space.values().length];
    private final long[] sizes = new long[Space.values().length];
    /** The peer's registered regions (its shared table, mapped here), or null: then REGISTERED is not offered. */
    private final PeerRegions regions;

    /**
     * @param rank          the peer's rank
     * @param pid           its process id
     * @param hostSlot      address of its HOST slot in its process, or 0 when it has none
     * @param hostBytes     size of its HOST slot
     * @param deviceSlot    address of its DEVICE slot in its process, or 0 when it has none
     * @param deviceBytes   size of its DEVICE slot
     */
    public CmaPeerLink(int rank, long pid, long hostSlot, long hostBytes, long deviceSlot, long deviceBytes) {
        this(rank, pid, hostSlot, hostBytes, deviceSlot, deviceBytes, null);
    }

    /**
     * A link that also reaches the peer's registered memory (space {@code REGISTERED}): each transfer pins its region
     * in the peer's shared table first, so it is checked as the peer's listener would check it, and the peer's
     * unregister waits for it.
     *
     * @param regions the peer's regions; the link closes them with itself
     */
    public CmaPeerLink(int rank, long pid, long hostSlot, long hostBytes, long deviceSlot, long deviceBytes,
                       PeerRegions regions) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new ConfigurationException("pid=" + pid + " (expected: 1.." + Integer.MAX_VALUE + ")");
        }
        this.rank = rank;
        this.pid = pid;
        addresses[Space.HOST_SLOT.ordinal()] = hostSlot;
        sizes[Space.HOST_SLOT.ordinal()] = hostSlot == 0 ? 0 : hostBytes;
        addresses[Space.DEVICE_SLOT.ordinal()] = deviceSlot;
        sizes[Space.DEVICE_SLOT.ordinal()] = deviceSlot == 0 ? 0 : deviceBytes;
        this.regions = regions;
    }

    /** @return whether this link reaches the peer's registered memory (it has the peer's region table). */
    public boolean offersRegistered() {
        return regions != null;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String transportName() {
        return "cma";
    }

    /** @return the peer's process id. */
    long pid() {
        return pid;
    }

    @Override
    public void write(MemorySegment local, long localOffset, Space space, long remoteAddress, long length) {
        if (space == Space.REGISTERED && regions != null) {
            long token = regions.pin(remoteAddress, length);
            try {
                copyOut(local, localOffset, remoteAddress, length);
            } finally {
                regions.unpin(token);
            }
            return;
        }
        copyOut(local, localOffset, remote(space, remoteAddress, length), length);
    }

    /**
     * Copies to an address in the peer's process that the caller has checked and pinned itself (in the peer's region
     * table): no check here. For links that combine cma with another way to the same memory.
     */
    public void writeChecked(MemorySegment local, long localOffset, long remoteAddress, long length) {
        copyOut(local, localOffset, remoteAddress, length);
    }

    /** The mirror of {@link #writeChecked}: from a checked and pinned address in the peer's process. */
    public void readChecked(long remoteAddress, MemorySegment local, long localOffset, long length) {
        copyIn(remoteAddress, local, localOffset, length);
    }

    private void copyOut(MemorySegment local, long localOffset, long remote, long length) {
        if (!local.isNative()) {
            staged(true, local, localOffset, remote, length);
            return;
        }
        java.util.Objects.checkFromIndexSize(localOffset, length, local.byteSize());
        // One copy, by the kernel, from this process's memory into the peer's memory.
        transfer(false, local.address() + localOffset, remote, length);
    }

    @Override
    public void read(Space space, long remoteAddress, MemorySegment local, long localOffset, long length) {
        if (space == Space.REGISTERED && regions != null) {
            long token = regions.pin(remoteAddress, length);
            try {
                copyIn(remoteAddress, local, localOffset, length);
            } finally {
                regions.unpin(token);
            }
            return;
        }
        copyIn(remote(space, remoteAddress, length), local, localOffset, length);
    }

    private void copyIn(long remote, MemorySegment local, long localOffset, long length) {
        if (local.isReadOnly()) {
            throw new ConfigurationException("local segment is read-only (expected: writable)");
        }
        if (!local.isNative()) {
            staged(false, local, localOffset, remote, length);
            return;
        }
        java.util.Objects.checkFromIndexSize(localOffset, length, local.byteSize());
        // One copy, by the kernel, from the peer's memory into this process's memory.
        transfer(true, local.address() + localOffset, remote, length);
    }

    /** Heap memory has no stable address: stage it through a native buffer (the second copy is made here). */
    private void staged(boolean write, MemorySegment local, long localOffset, long remote, long length) {
        MemorySegment staging = STAGING.get();
        long done = 0;
        while (done < length) {
            long n = Math.min(STAGING_BYTES, length - done);
            if (write) {
                MemorySegment.copy(local, localOffset + done, staging, 0, n);
                transfer(false, staging.address(), remote + done, n);
            } else {
                transfer(true, staging.address(), remote + done, n);
                MemorySegment.copy(staging, 0, local, localOffset + done, n);
            }
            done += n;
        }
    }

    private long remote(Space space, long offset, long length) {
        int index = space.ordinal();
        if (space == Space.REGISTERED || addresses[index] == 0) {
            throw new LinkUnusableException("cma: rank " + rank + " offers no address for its " + space);
        }
        if (!AddressSpace.fits(offset, length, sizes[index])) {
            throw new AddressOutOfRangeException("cma to rank " + rank + ": offset=" + offset + " length=" + length
                    + " exceeds its " + space + " of " + sizes[index] + " bytes", offset, length);
        }
        return addresses[index] + offset;
    }

    private void transfer(boolean read, long localAddress, long remoteAddress, long length) {
        long done = 0;
        while (done < length) {
            long n = read
                    ? CrossMemoryAttach.tryRead(pid, localAddress + done, remoteAddress + done, length - done)
                    : CrossMemoryAttach.tryWrite(pid, localAddress + done, remoteAddress + done, length - done);
            if (n <= 0) {
                throw failure(read, n == 0 ? EFAULT : (int) -n, remoteAddress, length, done);
            }
            done += n;
        }
    }

    private MemFabricException failure(boolean read, int errno, long remoteAddress, long length, long done) {
        String call = (read ? "process_vm_readv" : "process_vm_writev") + "(pid=" + pid + ", remote=0x"
                + Long.toHexString(remoteAddress) + ", length=" + length + ") after " + done + " bytes";
        return switch (errno) {
            case ESRCH -> new PeerLostException(rank, "cma to rank " + rank + ": process " + pid + " is gone: "
                    + call);
            case EPERM -> new LinkUnusableException("cma to rank " + rank + " refused by the kernel (EPERM): " + call);
            case EFAULT -> new MemFabricException(ErrorCode.ADDRESS_OUT_OF_RANGE, "cma to rank " + rank
                    + ": remote range not mapped (EFAULT): " + call);
            default -> new MemFabricException(ErrorCode.ERROR, "cma to rank " + rank + ": errno " + errno + ": "
                    + call);
        };
    }

    /** Unmaps the peer's region table, if any; cma holds no other resources per peer. */
    @Override
    public void close() {
        if (regions != null) {
            regions.close();
        }
    }

    @Override
    public String toString() {
        return "CmaPeerLink{rank=" + rank + ", pid=" + pid + "}";
    }
}
