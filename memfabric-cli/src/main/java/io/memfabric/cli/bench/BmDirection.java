package io.memfabric.cli.bench;

import io.memfabric.bm.CopyType;
import io.memfabric.memory.MemoryType;

import java.util.Locale;

/**
 * The directions of upstream's {@code bm_perf_benchmark} (reference §10.1), named source-2-destination. H = local host
 * memory, D = local device memory, R = the remote rank's global memory (rank 1's slot, measured from rank 0); without
 * R, the global side is this rank's own slot. Puts use L2G/H2G, gets G2L/G2H.
 */
enum BmDirection {
    H2D(true, false, false, MemoryType.DEVICE, CopyType.H2G),
    D2H(true, true, false, MemoryType.HOST, CopyType.L2G),
    H2RD(true, false, true, MemoryType.DEVICE, CopyType.H2G),
    H2RH(true, false, true, MemoryType.HOST, CopyType.H2G),
    D2RH(true, true, true, MemoryType.HOST, CopyType.L2G),
    D2RD(true, true, true, MemoryType.DEVICE, CopyType.L2G),
    RH2D(false, true, true, MemoryType.HOST, CopyType.G2L),
    RH2H(false, false, true, MemoryType.HOST, CopyType.G2H),
    RD2H(false, false, true, MemoryType.DEVICE, CopyType.G2H),
    RD2D(false, true, true, MemoryType.DEVICE, CopyType.G2L);

    /** Whether the copy goes from local memory to global memory. */
    final boolean put;
    /** Whether the local side is (emulated) device memory rather than host memory. */
    final boolean localDevice;
    /** Whether the global side is the remote rank's slot rather than this rank's own. */
    final boolean remote;
    /** The memory type of the global side. */
    final MemoryType globalType;
    /** The BM copy type used. */
    final CopyType copyType;

    BmDirection(boolean put, boolean localDevice, boolean remote, MemoryType globalType, CopyType copyType) {
        this.put = put;
        this.localDevice = localDevice;
        this.remote = remote;
        this.globalType = globalType;
        this.copyType = copyType;
    }

    /** @return the lower-case name used on the command line and in results, e.g. {@code h2rd}. */
    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @return one line of {@code bench bm --help} that explains the name, e.g.
     *         {@code h2rd   local host memory -> rank 1's DEVICE slot (H2G)}
     */
    String legend() {
        String local = localDevice ? "local device memory" : "local host memory";
        String global = (remote ? "rank 1's " : "its own ") + globalType + " slot";
        return String.format(Locale.ROOT, "%-5s  %s -> %s (%s)", wireName(), put ? local : global, put ? global : local,
                copyType);
    }

    static BmDirection parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
