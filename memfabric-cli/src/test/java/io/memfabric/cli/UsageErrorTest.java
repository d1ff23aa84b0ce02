package io.memfabric.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input is a usage error before anything starts: one line on stderr naming the command, the option, the value and
 * what is expected, exit code 2, nothing on stdout and no process started.
 */
@Timeout(30)
class UsageErrorTest {
    @AfterEach
    void noProcessWasStarted() {
        assertEquals(List.of(), ProcessHandle.current().children().toList(), "child processes after a usage error");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "demo --route rdma|memfabric demo: Invalid value for option '--route': 'rdma' is not a route (expected: shm, "
            + "cma or tcp)",
        "demo --ranks 1|memfabric demo: --ranks=1 (expected: 2..64)",
        "demo --ranks 65|memfabric demo: --ranks=65 (expected: 2..64)",
        "demo --size 1000|memfabric demo: --size=1000 (expected: a multiple of 8k, at least 8k)",
        "demo --size 1t|memfabric demo: --ranks=4 x 2 slots x --size=1T = 8.0T of slot files (expected: at most the ",
        "demo --rank-heap 1m|memfabric demo: --rank-heap=1M (expected: 32M..64G)",
        "demo --rank-heap 12x|memfabric demo: Invalid value for option '--rank-heap': '12x' is not a size "
            + "(expected: e.g. 64m)",
        "demo --store http://127.0.0.1:7000|memfabric demo: Invalid value for option '--store': ",
        "demo --rout shm|memfabric demo: Unknown options: '--rout', 'shm' (did you mean --route?)",
        "bench bm --cc 5|memfabric bench bm: --cc=5 (expected: 10..100000, or 0 for as many as move about 2 GiB)",
        "bench bm --count 100001|memfabric bench bm: --cc=100001 (expected: 10..100000, or 0 for as many as move "
            + "about 2 GiB)",
        "bench bm --ws 100000|memfabric bench bm: --ws=100000 (expected: 2..64)",
        "bench bm --ranks 1|memfabric bench bm: --ws=1 (expected: 2..64)",
        "bench bm --bs 0|memfabric bench bm: --bs=0 (expected: 1..65536)",
        "bench bm -t h2x|memfabric bench bm: --type=h2x (expected: one of h2d, d2h, h2rd, h2rh, d2rh, d2rd, rh2d, "
            + "rh2h, rd2h, rd2d)",
        "bench bm -s 0|memfabric bench bm: --block=0 with --bs=1 (expected: block x batch of 1 to 1G)",
        "bench bm -s 64m --bs 32|memfabric bench bm: --block=64M with --bs=32 (expected: block x batch of 1 to 1G)",
        "bench bm --route rdma|memfabric bench bm: Invalid value for option '--route': 'rdma' is not a route",
        "bench bm --plot /nonexistent/dir/x.png|memfabric bench bm: --plot=/nonexistent/dir/x.png (expected: a file "
            + "in an existing, writable directory)",
        "bench bm --peers /nonexistent/peers.sh|memfabric bench bm: --peers=/nonexistent/peers.sh (expected: the "
            + "readable peers.sh of shared/bench, or --peers none)",
        "bench store --clients 0|memfabric bench store: --clients=0 (expected: 1..10000)",
        "bench store --ranks 2,2000|memfabric bench store: --ranks=2000 (expected: 2..1024)",
        "bench store --sim-ranks 1|memfabric bench store: --sim-ranks=1 (expected: 2..1024)",
        "bench store --only redis,foo|memfabric bench store: --only=foo (expected: one of redis, client, barrier, "
            + "ranks)",
        "store --max-clients 0|memfabric store: maxClients=0 (expected: 1..",
        "store --auth-file /nonexistent/secret|memfabric store: --auth-file=/nonexistent/secret (expected: a "
            + "readable file)",
    })
    void badOptionIsOneLineAndExitCode2(String args, String expectedStart) {
        long startNs = System.nanoTime();
        CliRun run = CliRun.of(args.split(" "));
        assertEquals(2, run.exit(), run.err());
        assertEquals(1, run.errLines().size(), "one line: " + run.err());
        String line = run.errLines().get(0);
        assertTrue(line.startsWith(expectedStart), line);
        String command = expectedStart.substring(0, expectedStart.indexOf(':'));
        assertTrue(line.endsWith("; see '" + command + " --help'"), line);
        assertEquals("", run.out());
        assertTrue(System.nanoTime() - startNs < 10_000_000_000L, "checked before anything starts");
    }

    @Test
    void rankOptionsOfAHiddenCommandAreCheckedToo() {
        CliRun run = CliRun.of("demo-rank", "--store", "tcp://127.0.0.1:7000");
        assertEquals(2, run.exit());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("memfabric demo-rank: Missing required options: "), run.err());
    }
}
