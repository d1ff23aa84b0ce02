package io.memfabric.common.fault;

import io.memfabric.common.NamedThreadFactory;
import io.memfabric.config.Config;
import io.memfabric.error.ConfigurationException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The faults an operator configured ({@link FaultInjector#POINTS_PROP}, {@link FaultInjector#FILE_PROP}), applied once
 * per JVM when the first {@link FaultPoint} is created (the class initialiser runs exactly once; a point created while
 * it runs, by the faults themselves, does not wait for it). The file is then checked every
 * {@value #FILE_CHECK_PERIOD_MS} ms: when its modification time or size changes, the faults it armed are disarmed and
 * its new content is armed; a file that does not parse is reported and leaves the previous faults in force.
 *
 * <p>Thread safety: the initialiser runs once; the file check runs on its one daemon thread.
 */
final class ConfiguredFaults {
    /** How often the fault file is checked for changes. */
    static final long FILE_CHECK_PERIOD_MS = 1000;
    private static final System.Logger LOG = System.getLogger(ConfiguredFaults.class.getName());
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    private static final Path FILE;
    /** Written by the initialiser, then by the file-check thread only. */
    private static List<FaultActivation> fromFile = List.of();
    private static String fileStamp = "";

    static {
        String points = Config.string(FaultInjector.POINTS_PROP, null);
        if (points != null) {
            for (FaultActivation activation : arm(FaultInjector.parse(points))) {
                LOG.log(System.Logger.Level.WARNING, "fault injection armed from " + FaultInjector.POINTS_PROP
                        + ": " + activation.point().name() + "=" + activation.action());
            }
        }
        String file = Config.string(FaultInjector.FILE_PROP, null);
        FILE = file == null ? null : Path.of(file.replace("{pid}", PID));
        if (FILE != null) {
            reload(true);
            ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
                    NamedThreadFactory.daemon("memfabric-fault-file"));
            checker.scheduleWithFixedDelay(() -> reload(false), FILE_CHECK_PERIOD_MS, FILE_CHECK_PERIOD_MS,
                    TimeUnit.MILLISECONDS);
        }
    }

    private ConfiguredFaults() {
    }

    /** Makes sure the configured faults are armed; the first call runs the class initialiser, later ones nothing. */
    static void ensureApplied() {
        // The work is in the static initialiser, which the JVM runs exactly once.
    }

    private static List<FaultActivation> arm(Map<String, FaultAction> faults) {
        List<FaultActivation> armed = new ArrayList<>(faults.size());
        faults.forEach((name, action) -> armed.add(FaultInjector.activate(name, action)));
        return armed;
    }

    /** Re-reads the file when it changed; at start a bad file stops start-up, later it is reported and ignored. */
    private static void reload(boolean atStart) {
        String text;
        String stamp;
        try {
            stamp = Files.getLastModifiedTime(FILE).toMillis() + "/" + Files.size(FILE);
            if (stamp.equals(fileStamp)) {
                return;
            }
            text = Files.readString(FILE, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            stamp = "absent";
            text = "";
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "fault file " + FILE + " cannot be read: " + e);
            return;
        }
        if (stamp.equals(fileStamp)) {
            return;
        }
        Map<String, FaultAction> faults;
        try {
            faults = FaultInjector.parse(text);
        } catch (ConfigurationException e) {
            if (atStart) {
                throw new ConfigurationException(FaultInjector.FILE_PROP + "=" + FILE + ": " + e.getMessage(), e);
            }
            LOG.log(System.Logger.Level.WARNING, "fault file " + FILE + " ignored (the previous faults stay): "
                    + e.getMessage());
            fileStamp = stamp;
            return;
        }
        fileStamp = stamp;
        fromFile.forEach(FaultActivation::close);
        fromFile = arm(faults);
        if (atStart && fromFile.isEmpty()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "fault injection from " + FILE + ": " + (fromFile.isEmpty() ? "none"
                : fromFile.stream().map(a -> a.point().name() + "=" + a.action()).toList()));
    }
}
