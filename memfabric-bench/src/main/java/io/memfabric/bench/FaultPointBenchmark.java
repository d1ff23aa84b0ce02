package io.memfabric.bench;

import io.memfabric.common.fault.FaultAction;
import io.memfabric.common.fault.FaultActivation;
import io.memfabric.common.fault.FaultInjector;
import io.memfabric.common.fault.FaultPoint;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a fault point costs on a hot path when nothing is armed (the only case production code sees): a check is the
 * read of a {@code static final} field and a volatile read of a null reference. The reference in the same run is a
 * plain read of a field ({@link #reference}, {@link #referenceConsumed}); the difference is the point's cost.
 * {@link #armedSkipping} shows the price once a point is armed (a counter increment per pass), for comparison only.
 */
@State(Scope.Thread)
public class FaultPointBenchmark extends MemFabricBenchmark {
    private static final FaultPoint OFF = FaultPoint.of("bench.off");
    private static final FaultPoint ARMED = FaultPoint.of("bench.armed");

    private int work = 42;
    private FaultActivation activation;

    @Setup(Level.Trial)
    public void setUp() {
        // Armed, but every pass is skipped: the point stays armed for the whole run and never fires.
        activation = FaultInjector.activate(ARMED, FaultAction.fail().skip(Long.MAX_VALUE - 1));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        activation.close();
    }

    /** @return a field read: the floor every variant pays. */
    @Benchmark
    public int reference() {
        return work;
    }

    /** The same read behind a point that is off, checked with {@code fire()}. */
    @Benchmark
    public int disarmedFire() {
        OFF.fire();
        return work;
    }

    /** The reference of the {@code failed()} variants: the same two values into the black hole, no point. */
    @Benchmark
    public void referenceConsumed(Blackhole hole) {
        hole.consume(false);
        hole.consume(work);
    }

    /** The same read behind a point that is off, checked with {@code failed()}. */
    @Benchmark
    public void disarmedFailed(Blackhole hole) {
        hole.consume(OFF.failed());
        hole.consume(work);
    }

    /** An armed point that lets every pass through. */
    @Benchmark
    public void armedSkipping(Blackhole hole) {
        hole.consume(ARMED.failed());
        hole.consume(work);
    }
}
