package io.memfabric.nativeapi;

import io.memfabric.testsupport.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The C library as a C program uses it: the test programs under {@code src/test/c}, compiled by the build and linked
 * against {@code target/libmemfabric.so}, run here; each case of a program runs in processes of its own (see
 * {@code harness.h}). A failing case fails the build, with the program's output in the message and in
 * {@code target/native-logs/}.
 */
@Timeout(600)
class CLibrarySystemTest {
    @Test
    void apiRulesAndErrorCodes() throws Exception {
        runCases("smem_api_test", 300);
    }

    @Test
    void transferEngineAcrossProcesses() throws Exception {
        runCases("smem_trans_test", 420);
    }

    @Test
    void upstreamBmCppWorkflowWithFourRanks() throws Exception {
        String url = "tcp://127.0.0.1:" + FreePorts.next();
        NativeRun run = NativeRun.run("bm_example", List.of(program("bm_example"), "4", "4", "0", url, "1", "16"),
                Map.of(), 300);
        assertEquals(0, run.exitCode(), run.report());
        for (int rank = 0; rank < 4; rank++) {
            assertTrue(run.stdout().contains("rank " + rank + ": copied 16777216 bytes to rank " + ((rank + 1) % 4)
                    + "'s DEVICE and HOST slots, found rank " + ((rank + 3) % 4) + "'s in its own: ok"), run.report());
        }
        assertTrue(run.stdout().contains("bm_example: 4 ranks, 0 failed"), run.report());
    }

    private static void runCases(String name, long limitSeconds) throws Exception {
        NativeRun run = NativeRun.run(name, List.of(program(name)), Map.of(), limitSeconds);
        assertEquals(0, run.exitCode(), run.report());
        assertTrue(run.stdout().contains(" passed, 0 failed"), run.report());
    }

    private static String program(String name) {
        return NativeRun.NATIVE_DIR.resolve("c-tests").resolve(name).toAbsolutePath().toString();
    }
}
