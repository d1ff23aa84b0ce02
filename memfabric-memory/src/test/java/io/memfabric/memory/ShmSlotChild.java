package io.memfabric.memory;

import io.memfabric.nativeio.Patterns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM that owns a slot: creates it (directory from {@code -Dmemfabric.shm.dir}), fills it with pattern 7 and
 * prints {@code READY <name> <descriptor>}; answers {@code CHECK <seed>} with {@code OK} or {@code BAD <index>}; closes
 * the slot and prints {@code CLOSED} when its stdin ends.
 */
public final class ShmSlotChild {
    private ShmSlotChild() {
    }

    public static void main(String[] args) throws IOException {
        long size = Long.parseLong(args[2]);
        try (ShmSlot slot = ShmSlot.create(args[0], args[1], 1, MemoryType.HOST, size)) {
            Patterns.fill(slot.segment(), 7);
            System.out.println("READY " + slot.name() + " " + slot.descriptor().encode());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("CHECK ")) {
                    long mismatch = Patterns.firstMismatch(slot.segment(), Integer.parseInt(line.substring(6).trim()));
                    System.out.println(mismatch < 0 ? "OK" : "BAD " + mismatch);
                    System.out.flush();
                }
            }
        }
        System.out.println("CLOSED");
    }
}
