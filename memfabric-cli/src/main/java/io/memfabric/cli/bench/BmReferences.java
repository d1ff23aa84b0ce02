package io.memfabric.cli.bench;

import io.memfabric.copy.CopyEngineOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which references {@code bench bm} measures for a route and the sizes it measured, and which reference belongs to
 * each result row (the rule of {@code shared/bench/README.md}: like with like, same size, same route):
 * <ul>
 *   <li>shm (and copies within one rank): {@code memcpy} at each size, on 1 thread below the copy engine's split size
 *       and on 2 above it (the engine splits larger copies over two threads); UCX posix {@code ucp_put_bw} (1M, 64M)
 *       as the peer and {@code ucp_put_lat} for copies of at most 4 KiB;</li>
 *   <li>cma: {@code process_vm_readv/writev} at each size;</li>
 *   <li>tcp: {@code iperf3} (one stream), UCX tcp {@code tag_bw} (1M) as the peer, the C busy-poll TCP round trip for
 *       copies of at most 4 KiB.</li>
 * </ul>
 * memcpy and cma run their C programs at exactly the measured sizes; UCX, iperf3 and the TCP round trip run through
 * {@code peers.sh}, and only when a measured size has a figure of theirs to compare with.
 *
 * <p>Thread safety: immutable.
 */
final class BmReferences {
    /** Largest copy compared with a latency reference. */
    static final long LATENCY_MAX_BYTES = 4096;
    /** Sizes of the UCX bandwidth figures {@code peers.sh ucx} measures. */
    private static final List<Long> UCX_BW_SIZES = List.of(1L << 20, 64L << 20);

    private BmReferences() {
    }

    /**
     * A reference figure.
     *
     * @param kind  what it is without the size, e.g. {@code memcpy x2} (one line of a plot)
     * @param name  what it is, with the size where it has one, e.g. {@code memcpy 1048576 x1}
     * @param value GB/s, or µs for latency
     */
    record Reference(String kind, String name, double value) {
    }

    /**
     * @param routes the routes of the measured rows: {@code local} (a copy within one rank), {@code shm}, {@code cma},
     *               {@code tcp}
     * @param sizes  the bytes of one iteration (block x batch) of each measured size
     * @param quick  the quick effort of {@code peers.sh}
     * @return the jobs that measure every reference these rows can be compared with, and nothing more
     */
    static List<ReferenceJob> jobs(Set<String> routes, List<Long> sizes, boolean quick) {
        SortedSet<Long> distinct = new TreeSet<>(sizes);
        List<String> effort = quick ? List.of("-r", "5", "-b", "128M") : List.of("-r", "9", "-b", "512M");
        boolean small = distinct.first() <= LATENCY_MAX_BYTES;
        List<ReferenceJob> jobs = new ArrayList<>();
        if (routes.contains("local") || routes.contains("shm")) {
            for (int threads : threadCounts(distinct)) {
                List<String> args = new ArrayList<>(List.of("-t", String.valueOf(threads)));
                args.addAll(effort);
                args.addAll(distinct.stream().filter(s -> memcpyThreads(s) == threads).map(String::valueOf)
                        .toList());
                jobs.add(ReferenceJob.program("memcpy " + threads + " thread" + (threads == 1 ? "" : "s"),
                        "memcpy", "memcpy_bw", args));
            }
        }
        if (routes.contains("cma")) {
            List<String> args = new ArrayList<>(effort);
            args.addAll(List.of("-n", "1000"));
            args.addAll(distinct.stream().map(String::valueOf).toList());
            jobs.add(ReferenceJob.program("cma", "cma", "cma_bw", args));
        }
        if (routes.contains("tcp")) {
            jobs.add(ReferenceJob.group("iperf3", "iperf", List.of()));
            if (small) {
                jobs.add(ReferenceJob.group("tcp round trip", "tcp", List.of()));
            }
        }
        boolean ucxShm = routes.contains("shm") && (small || distinct.stream().anyMatch(UCX_BW_SIZES::contains));
        boolean ucxTcp = routes.contains("tcp") && (small || distinct.contains(1L << 20));
        if (ucxShm || ucxTcp) {
            jobs.add(ReferenceJob.group("ucx", "ucx", List.of()));
        }
        return jobs;
    }

    private static List<Integer> threadCounts(SortedSet<Long> sizes) {
        return sizes.stream().map(BmReferences::memcpyThreads).distinct().sorted().toList();
    }

    /** Same-host copies of at least the copy engine's split size run on two threads, so their limit does too. */
    private static int memcpyThreads(long bytes) {
        return bytes >= CopyEngineOptions.SHM_SPLIT_BYTES_DEFAULT ? 2 : 1;
    }

    /** @return the physical limit of a bandwidth row's route at its size, or {@code null}. */
    static Reference bandwidth(PeerReferences refs, String route, boolean get, long bytes) {
        String size = String.valueOf(bytes);
        double value;
        switch (route) {
            case "tcp" -> {
                value = refs.value("iperf3", Map.of(), "gbps");
                return Double.isNaN(value) ? null : new Reference("iperf3", "iperf3", value);
            }
            case "cma" -> {
                String name = get ? "cma_read" : "cma_write";
                value = refs.value(name, Map.of("size", size), "gbps");
                return Double.isNaN(value) ? null : new Reference(name, name + " " + size, value);
            }
            default -> {
                String threads = String.valueOf(memcpyThreads(bytes));
                value = refs.value("memcpy", Map.of("size", size, "threads", threads), "gbps");
                return Double.isNaN(value) ? null : new Reference("memcpy x" + threads, "memcpy " + size + " x"
                        + threads, value);
            }
        }
    }

    /** @return the peer tool doing the same job: UCX {@code ucp_put_bw} (posix) same host, {@code tag_bw} for tcp. */
    static Reference peer(PeerReferences refs, String route, long bytes) {
        if (route.equals("local") || route.equals("cma")) {
            return null;
        }
        boolean tcp = route.equals("tcp");
        double value = refs.value("ucx", Map.of("tls", tcp ? "tcp" : "posix", "test", tcp ? "tag_bw" : "ucp_put_bw",
                "size", String.valueOf(bytes)), "gbps");
        String name = tcp ? "ucx tcp tag_bw" : "ucx posix put_bw";
        return Double.isNaN(value) ? null : new Reference(name, name, value);
    }

    /**
     * @return the latency reference of a small copy (at most {@link #LATENCY_MAX_BYTES}), in microseconds: UCX posix
     *         {@code ucp_put_lat} same host (one way), the C busy-poll TCP round trip for tcp; or {@code null}
     */
    static Reference latency(PeerReferences refs, String route, long bytes) {
        if (bytes > LATENCY_MAX_BYTES || route.equals("local") || route.equals("cma")) {
            return null;
        }
        boolean tcp = route.equals("tcp");
        double value = tcp ? refs.value("tcp_rtt", Map.of("mode", "spin"), "p50_us")
                : refs.value("ucx", Map.of("tls", "posix", "test", "ucp_put_lat"), "usec");
        String name = tcp ? "tcp_rtt spin" : "ucx put_lat";
        return Double.isNaN(value) ? null : new Reference(name, name, value);
    }
}
