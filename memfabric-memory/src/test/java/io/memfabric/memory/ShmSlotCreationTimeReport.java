package io.memfabric.memory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.Arrays;

/**
 * Reports how long a populated 1 GiB slot takes to create (DESIGN §8 bar: 0.5 s), with the default populate threads
 * and with one. It asserts nothing about time (benchmarks are not tests) and runs only when asked:
 * {@code ./mvnw -B -pl memfabric-memory -am test -Dtest=ShmSlotCreationTimeReport -Dmemfabric.measure=true
 * -Dsurefire.failIfNoSpecifiedTests=false}; the figures are in
 * {@code memfabric-core/target/surefire-reports/io.memfabric.memory.ShmSlotCreationTimeReport-output.txt}.
 */
@Timeout(300)
@EnabledIfSystemProperty(named = "memfabric.measure", matches = "true")
class ShmSlotCreationTimeReport {
    private static final long GIB = 1L << 30;
    private static final int RUNS = 5;

    private ShmTestDirectory dir;

    @BeforeEach
    void createDirectory() {
        dir = ShmTestDirectory.create();
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        dir.close();
    }

    @Test
    void reportCreationTimeOfAPopulatedGibSlot() {
        int threads = dir.options().populateThreads();
        report("default (" + threads + " populate threads)", dir.options());
        report("1 populate thread", dir.options().withPopulateThreads(1));
    }

    private void report(String label, ShmOptions options) {
        double[] createMs = new double[RUNS];
        double[] openMs = new double[RUNS];
        double[] closeMs = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            ShmSlot slot = ShmSlot.create("measure", "gib", 0, MemoryType.HOST, GIB, options);
            long t1 = System.nanoTime();
            ShmSlot peer = ShmSlot.open(slot.name(), GIB, options);
            long t2 = System.nanoTime();
            peer.close();
            slot.close();
            long t3 = System.nanoTime();
            createMs[i] = (t1 - t0) / 1e6;
            openMs[i] = (t2 - t1) / 1e6;
            closeMs[i] = (t3 - t2) / 1e6;
        }
        System.out.printf("1 GiB slot, %s: create ms %s (median %.0f), peer open ms %s, close both ms %s%n", label,
                format(createMs), median(createMs), format(openMs), format(closeMs));
    }

    private static String format(double[] values) {
        return Arrays.toString(Arrays.stream(values).mapToLong(Math::round).toArray());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
