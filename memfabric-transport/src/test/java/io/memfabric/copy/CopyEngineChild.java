package io.memfabric.copy;

import io.memfabric.error.MemFabricException;
import io.memfabric.memory.AddressSpace;
import io.memfabric.memory.HostId;
import io.memfabric.memory.MemoryRegion;
import io.memfabric.memory.MemoryType;
import io.memfabric.memory.ShmSlot;
import io.memfabric.testsupport.RankProcess;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A rank in its own JVM for the cross-process tests. Arguments: {@code fabric rank worldSize hostSlotBytes
 * deviceSlotBytes [route]}. Prints {@code READY <descriptor>}, then answers numbered commands on stdin, one line each,
 * with {@code R<n> <answer>}:
 * <ul>
 *   <li>{@code <n> PEER <descriptor>} adds a peer; {@code <n> REMOVE <rank>} removes one;</li>
 *   <li>{@code <n> FILL <type> <seed>} fills its own slot with a pattern;</li>
 *   <li>{@code <n> CRC <type> <offset> <length>} answers the CRC32C of a range of its own slot;</li>
 *   <li>{@code <n> WRITE <gva> <length> <seed>} and {@code <n> COPY <src> <dst> <length>} copy through its engine,
 *       answering {@code OK} or {@code ERR <code> <message>};</li>
 *   <li>{@code <n> ROUTE <rank>} answers the route to a rank.</li>
 * </ul>
 * Exits when stdin ends, closing engine and slots.
 */
public final class CopyEngineChild {
    private CopyEngineChild() {
    }

    public static void main(String[] args) throws Exception {
        RankProcess.exitWhenParentExits();
        String fabric = args[0];
        int rank = Integer.parseInt(args[1]);
        int worldSize = Integer.parseInt(args[2]);
        long hostBytes = Long.parseLong(args[3]);
        long deviceBytes = Long.parseLong(args[4]);
        Route route = args.length > 5 && !args[5].equals("-") ? Route.parse(args[5]) : null;
        List<MemoryRegion> slots = new ArrayList<>();
        slots.add(ShmSlot.create(fabric, "t", rank, MemoryType.HOST, hostBytes));
        if (deviceBytes > 0) {
            slots.add(ShmSlot.create(fabric, "t", rank, MemoryType.DEVICE, deviceBytes));
        }
        CopyEngineOptions options = CopyEngineOptions.builder().forceRoute(route)
                .peerTimeout(java.time.Duration.ofSeconds(10)).build();
        AddressSpace layout = AddressSpace.of(worldSize, CrossProcessFixture.STRIDE, CrossProcessFixture.STRIDE);
        try (CopyEngine engine = CopyEngine.start(options, rank, HostId.current(), layout, slots)) {
            System.out.println("READY " + engine.localDescriptor().encode());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(" ", 3);
                String answer;
                try {
                    answer = handle(engine, slots, f[1], f.length > 2 ? f[2] : "");
                } catch (MemFabricException e) {
                    answer = "ERR " + e.code() + " " + e.getMessage().replace('\n', ' ');
                } catch (RuntimeException e) {
                    answer = "ERR EXCEPTION " + e.toString().replace('\n', ' ');
                }
                System.out.println("R" + f[0] + " " + answer);
                System.out.flush();
            }
        } finally {
            for (MemoryRegion slot : slots) {
                slot.close();
            }
        }
    }

    private static String handle(CopyEngine engine, List<MemoryRegion> slots, String command, String rest) {
        String[] a = rest.isEmpty() ? new String[0] : rest.split(" ");
        switch (command) {
            case "PEER" -> {
                engine.addPeer(PeerDescriptor.decode(rest));
                return "OK";
            }
            case "REMOVE" -> {
                engine.removePeer(Integer.parseInt(a[0]));
                return "OK";
            }
            case "FILL" -> {
                MemorySegment slot = slot(slots, a[0]);
                Patterns.fill(slot, Long.parseLong(a[1]));
                return "OK";
            }
            case "CRC" -> {
                MemorySegment slot = slot(slots, a[0]);
                return "CRC " + Patterns.crc(slot.asSlice(Long.parseLong(a[1]), Long.parseLong(a[2])));
            }
            case "WRITE" -> {
                long length = Long.parseLong(a[1]);
                MemorySegment src = Arena.ofAuto().allocate(length);
                Patterns.fill(src, Long.parseLong(a[2]));
                engine.write(src, Long.parseLong(a[0]), length);
                return "OK";
            }
            case "COPY" -> {
                engine.copy(Long.parseLong(a[0]), Long.parseLong(a[1]), Long.parseLong(a[2]));
                return "OK";
            }
            case "ROUTE" -> {
                return "ROUTE " + engine.routeTo(Integer.parseInt(a[0])).wireName();
            }
            default -> {
                return "ERR UNKNOWN " + command;
            }
        }
    }

    private static MemorySegment slot(List<MemoryRegion> slots, String type) {
        MemoryType t = MemoryType.ofToken(type);
        for (MemoryRegion slot : slots) {
            if (slot.descriptor().type() == t) {
                return slot.segment();
            }
        }
        throw new IllegalArgumentException("no " + type + " slot");
    }
}
