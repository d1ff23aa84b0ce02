package io.memfabric.systemtest;

import io.memfabric.cli.MemFabricCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code memfabric demo} end to end: a store and real rank JVMs run the BmCpp workflow and verify every byte; the
 * command's exit code is 0 only when every rank verified its data.
 */
@Timeout(180)
class DemoSystemTest {
    @Test
    void demoVerifiesEveryByteOnTheDefaultRoute() {
        assertEquals(0, MemFabricCommand.run("demo", "--ranks", "3", "--size", "16m", "--rank-heap", "96m"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cma", "tcp"})
    void demoVerifiesEveryByteOnAForcedRoute(String route) {
        assertEquals(0, MemFabricCommand.run("demo", "--ranks", "2", "--size", "8m", "--route", route,
                "--rank-heap", "96m"));
    }

    @Test
    void demoRefusesBadArgumentsWithUsageExitCode() {
        assertEquals(2, MemFabricCommand.run("demo", "--ranks", "1"));
        assertEquals(2, MemFabricCommand.run("demo", "--size", "1000"));
    }
}
