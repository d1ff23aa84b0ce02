package io.memfabric.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** bench bm measures the references of the sizes it measured, and nothing more; each row finds its own. */
@Timeout(10)
class BmReferencesTest {
    private static final long K4 = 4096;
    private static final long M1 = 1 << 20;
    private static final long M64 = 64L << 20;

    @Test
    void sameHostMeasuresMemcpyAtExactlyTheMeasuredSizes() {
        List<ReferenceJob> jobs = BmReferences.jobs(Set.of("local", "shm"), List.of(K4, M64, K4), true);
        assertEquals(List.of(
                ReferenceJob.program("memcpy 1 thread", "memcpy", "memcpy_bw",
                        List.of("-t", "1", "-r", "5", "-b", "128M", "4096")),
                ReferenceJob.program("memcpy 2 threads", "memcpy", "memcpy_bw",
                        List.of("-t", "2", "-r", "5", "-b", "128M", "67108864")),
                ReferenceJob.group("ucx", "ucx", List.of())), jobs);
    }

    @Test
    void ucxRunsOnlyWhenASizeHasAUcxFigure() {
        List<ReferenceJob> jobs = BmReferences.jobs(Set.of("shm"), List.of(64L << 10), false);
        assertEquals(List.of(ReferenceJob.program("memcpy 1 thread", "memcpy", "memcpy_bw",
                List.of("-t", "1", "-r", "9", "-b", "512M", "65536"))), jobs);
    }

    @Test
    void cmaMeasuresProcessVmAtTheMeasuredSizes() {
        List<ReferenceJob> jobs = BmReferences.jobs(Set.of("cma"), List.of(M1), true);
        assertEquals(List.of(ReferenceJob.program("cma", "cma", "cma_bw",
                List.of("-r", "5", "-b", "128M", "-n", "1000", "1048576"))), jobs);
    }

    @Test
    void tcpMeasuresIperfAndTheRoundTripOnlyForSmallCopies() {
        assertEquals(List.of("iperf3", "tcp round trip", "ucx"), BmReferences.jobs(Set.of("tcp"), List.of(64L, M1),
                true).stream().map(ReferenceJob::label).toList());
        assertEquals(List.of("iperf3"), BmReferences.jobs(Set.of("tcp"), List.of(M64), true).stream()
                .map(ReferenceJob::label).toList());
    }

    @Test
    void eachRowFindsTheReferenceOfItsRouteAndSize() {
        PeerReferences refs = new PeerReferences();
        refs.add("memcpy size=4096 threads=1 gbps=150.00");
        refs.add("memcpy size=67108864 threads=2 gbps=24.00");
        refs.add("cma_read size=1048576 gbps=17.00");
        refs.add("cma_write size=1048576 gbps=16.00");
        refs.add("iperf3 gbps=5.00");
        refs.add("ucx tls=posix test=ucp_put_bw size=67108864 gbps=20.00");
        refs.add("ucx tls=posix test=ucp_put_lat size=8 usec=0.045");
        refs.add("tcp_rtt mode=spin p50_us=6.13 p99_us=6.44");

        assertEquals(new BmReferences.Reference("memcpy x1", "memcpy 4096 x1", 150.0),
                BmReferences.bandwidth(refs, "shm", false, K4));
        assertEquals(new BmReferences.Reference("memcpy x2", "memcpy 67108864 x2", 24.0),
                BmReferences.bandwidth(refs, "local", true, M64));
        assertEquals(17.0, BmReferences.bandwidth(refs, "cma", true, M1).value());
        assertEquals(16.0, BmReferences.bandwidth(refs, "cma", false, M1).value());
        assertEquals(5.0, BmReferences.bandwidth(refs, "tcp", false, M1).value());
        assertNull(BmReferences.bandwidth(refs, "shm", false, M1), "no memcpy figure at 1M");

        assertEquals(20.0, BmReferences.peer(refs, "shm", M64).value());
        assertNull(BmReferences.peer(refs, "local", M64), "a copy within one rank has no peer tool");

        assertEquals(0.045, BmReferences.latency(refs, "shm", 64).value());
        assertEquals(6.13, BmReferences.latency(refs, "tcp", K4).value());
        assertNull(BmReferences.latency(refs, "shm", 8192), "latency only for small copies");
    }
}
