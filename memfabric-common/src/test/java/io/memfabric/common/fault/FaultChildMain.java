package io.memfabric.common.fault;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM for {@link ConfiguredFaultsTest}. {@code kill}: passes point {@code test.kill} twice. {@code file}:
 * prints the armed faults, then a line when point {@code test.file} is armed and one when it is disarmed again.
 */
public final class FaultChildMain {
    private FaultChildMain() {
    }

    public static void main(String[] args) {
        FaultPoint point = FaultPoint.of("test." + args[0]);
        if (args[0].equals("kill")) {
            point.fire();
            point.fire();
            System.exit(0);
        }
        System.out.println("ready " + FaultInjector.armed());
        awaitArmed(point, true);
        System.out.println("armed " + FaultInjector.armed());
        awaitArmed(point, false);
        System.out.println("disarmed");
    }

    private static void awaitArmed(FaultPoint point, boolean armed) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (point.isArmed() != armed && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
