package io.memfabric.bm;

import io.memfabric.common.CloseHelper;
import io.memfabric.copy.CopyEngine;
import io.memfabric.error.ConfigurationException;
import io.memfabric.group.GroupEngine;
import io.memfabric.group.GroupOptions;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.DeviceMemory;
import io.memfabric.memory.DeviceMemoryProvider;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmSlot;
import io.memfabric.memory.StaleSlotCleaner;
import io.memfabric.store.client.StoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one {@link BigMemorySpace} holds, acquired in order by {@link #open} and released in reverse order by
 * {@link #close()}: this rank's HOST and DEVICE slots, a store connection and its prefix view, the object's group
 * engine, the copy engine over the slots, and the reaper of failed peers' slot files. If acquiring fails halfway,
 * what was acquired is released before the failure is rethrown.
 *
 * <p>Thread safety: the fields are final and safely published; {@link #close()} once, by the space.
 *
 * @param hostSlot   this rank's HOST slot, or null
 * @param deviceSlot this rank's DEVICE slot, or null
 * @param device     the device memory provider in use (emulated or real)
 * @param client     the store connection
 * @param keys       the store view under the object's prefix
 * @param group      the object's group engine
 * @param engine     the copy engine (and with it the rank's membership view)
 * @param reaper     the reaper of failed same-host peers' slot files
 */
record SpaceResources(MemoryRegion hostSlot, MemoryRegion deviceSlot, DeviceMemory device, StoreClient client,
                      StoreClient keys, GroupEngine group, CopyEngine engine, SlotFileReaper reaper)
        implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpaceResources.class);
    /** Stale slot files are removed once per process, before its first slot is created. */
    private static final AtomicBoolean CLEANED = new AtomicBoolean();

    /**
     * Acquires everything a space needs on this rank, and publishes this rank's peer record (before it can join, so
     * that a member that sees it join can always read it).
     */
    static SpaceResources open(BigMemory owner, int id, CreateOptions options, String label) {
        int rank = owner.rank();
        String fabricId = owner.options().fabricId();
        if (CLEANED.compareAndSet(false, true)) {
            List<Path> removed = StaleSlotCleaner.clean();
            if (!removed.isEmpty()) {
                LOG.info("{}: removed {} stale slot files of dead processes", label, removed.size());
            }
        }
        MemoryRegion hostSlot = null;
        MemoryRegion deviceSlot = null;
        StoreClient client = null;
        StoreClient keys = null;
        GroupEngine group = null;
        CopyEngine engine = null;
        SlotFileReaper reaper = null;
        try {
            long startNs = System.nanoTime();
            DeviceMemory device = DeviceMemoryProvider.select();
            String objectId = "bm" + id;
            if (options.localHostSize() > 0) {
                hostSlot = ShmSlot.create(fabricId, objectId, rank, MemoryType.HOST, options.localHostSize());
            }
            if (options.localDeviceSize() > 0) {
                deviceSlot = device.allocate(fabricId, objectId, rank, options.localDeviceSize());
            }
            long slotsMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            AddressSpace layout = AddressSpace.of(owner.worldSize(), options.maxHostSize(), options.maxDeviceSize());
            client = StoreClient.connect(owner.storeClientOptions());
            keys = client.withPrefix(BmKeys.fabric(fabricId) + BmKeys.object(id));
            group = GroupEngine.open(client, GroupOptions.builder()
                    .name(fabricId + ".bm" + id)
                    .namespace(BmKeys.group(fabricId, id))
                    .worldSize(owner.worldSize())
                    .rank(rank)
                    .operationTimeout(owner.options().controlOperationTimeout())
                    .threadFactory(owner.options().threadFactory())
                    .build());
            List<MemoryRegion> own = new ArrayList<>(2);
            if (hostSlot != null) {
                own.add(hostSlot);
            }
            if (deviceSlot != null) {
                own.add(deviceSlot);
            }
            engine = CopyEngine.start(owner.options().copyEngineOptions(), rank, HostId.current(), layout, own);
            reaper = new SlotFileReaper(label, HostId.current(), owner.options().threadFactory(),
                    "memfabric-" + fabricId + "-r" + rank + "-bm" + id + "-cleaner");
            keys.set(BmKeys.peer(rank), new PeerRecord(rank, options.maxHostSize(), options.maxDeviceSize(),
                    engine.localDescriptor()).toBytes());
            LOG.info("{}: created; HOST {} of stride {} bytes, DEVICE {} of stride {} bytes ({}), slots in {} ms",
                    label, options.localHostSize(), options.maxHostSize(), options.localDeviceSize(),
                    options.maxDeviceSize(), device.isEmulated() ? "the device tier is emulated in host shared memory"
                            : "device memory: " + device.name(), slotsMs);
            return new SpaceResources(hostSlot, deviceSlot, device, client, keys, group, engine, reaper);
        } catch (RuntimeException | Error e) {
            CloseHelper.quietClose(reaper);
            CloseHelper.quietClose(group);
            CloseHelper.quietClose(engine);
            CloseHelper.quietClose(keys);
            CloseHelper.quietClose(client);
            CloseHelper.quietClose(deviceSlot);
            CloseHelper.quietClose(hostSlot);
            throw e;
        }
    }

    /** @return the slot of {@code type}, or null when this rank contributes none. */
    MemoryRegion slot(MemoryType type) {
        return type == MemoryType.HOST ? hostSlot : type == MemoryType.DEVICE ? deviceSlot : null;
    }

    /**
     * @return the memory of this rank's slot of {@code type}
     * @throws ConfigurationException {@code INVALID_PARAM} when this rank contributes none
     */
    MemorySegment slotSegment(String label, MemoryType type) {
        MemoryRegion slot = slot(type);
        if (slot == null) {
            throw new ConfigurationException(label + ": localSegment type=" + type + ": this rank contributes no "
                    + type + " memory (local size 0)");
        }
        return slot.segment();
    }

    /** @return how copies reach {@code rank} from this rank {@code self} (see {@link BigMemorySpace#routeTo}). */
    String routeTo(int self, int rank) {
        if (rank == self) {
            return "local: this rank's own slots, one MemorySegment.copy";
        }
        return engine.view().isReachable(rank) ? engine.routeReason(rank)
                : "unreachable: not a member this rank has imported";
    }

    /**
     * Releases everything in reverse order: the reaper, the group engine, the copy engine (drains copies, unmaps
     * peers), this rank's peer record, the slots (and their files), the store connection. Every step runs; the first
     * failure is thrown with the others suppressed.
     */
    @Override
    public void close() {
        int rank = group.rank();
        CloseHelper.closeAll(reaper, group, engine, () -> keys.delete(BmKeys.peer(rank)), deviceSlot, hostSlot, keys,
                client);
    }
}
