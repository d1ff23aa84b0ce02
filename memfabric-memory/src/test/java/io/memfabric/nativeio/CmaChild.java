package io.memfabric.nativeio;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM for cross-memory-attach tests: allocates a native segment filled with pattern 1 and prints
 * {@code READY <pid> <address> <length>}; then answers {@code CHECK <seed>} with {@code OK} or {@code BAD <index>}
 * until its stdin ends.
 */
public final class CmaChild {
    private CmaChild() {
    }

    public static void main(String[] args) throws IOException {
        int length = Integer.parseInt(args[0]);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(length, 4096);
            Patterns.fill(segment, 1);
            System.out.println("READY " + ProcessHandle.current().pid() + " " + segment.address() + " " + length);
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("CHECK ")) {
                    long mismatch = Patterns.firstMismatch(segment, Integer.parseInt(line.substring(6).trim()));
                    System.out.println(mismatch < 0 ? "OK" : "BAD " + mismatch);
                    System.out.flush();
                }
            }
        }
    }
}
