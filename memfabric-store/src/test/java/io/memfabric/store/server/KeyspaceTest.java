package io.memfabric.store.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The keyspace's slot table: SCAN returns every key present for the whole scan, whatever changes meanwhile. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyspaceTest {

    @Test
    void putGetRemoveReuseSlots() {
        Keyspace keyspace = new Keyspace();
        StoreKey a = StoreKey.of("a");
        assertNotNull(keyspace.put(a, new byte[] {1}, 1), "created");
        assertNull(keyspace.put(a, new byte[] {2}, 1), "replaced");
        assertEquals(2, keyspace.get(StoreKey.of("a")).value[0]);
        assertTrue(keyspace.remove(a));
        assertEquals(0, keyspace.size());
        assertNull(keyspace.get(a));
        assertTrue(!keyspace.remove(a));
    }

    @Test
    void scanReturnsEveryStableKeyDespiteConcurrentChanges() {
        Random r = new Random(42);
        for (int round = 0; round < 50; round++) {
            Keyspace keyspace = new Keyspace();
            Set<String> stable = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                String name = "stable-" + i;
                keyspace.create(StoreKey.of(name), new byte[0], 0);
                stable.add(name);
            }
            int churn = 0;
            for (int i = 0; i < 300; i++) {
                keyspace.create(StoreKey.of("churn-" + churn++), new byte[0], 0);
            }
            Set<String> seen = new HashSet<>();
            long cursor = 0;
            int steps = 0;
            do {
                cursor = keyspace.scan(cursor, 1 + r.nextInt(20), e -> seen.add(e.key.toString()));
                // Between steps: remove some churn keys, add new ones (they may reuse freed slots).
                for (int k = 0; k < 10; k++) {
                    keyspace.remove(StoreKey.of("churn-" + r.nextInt(churn)));
                    keyspace.create(StoreKey.of("churn-" + churn++), new byte[0], 0);
                }
                steps++;
            } while (cursor != 0 && steps < 10_000);
            assertEquals(0, cursor, "the scan ends");
            assertTrue(seen.containsAll(stable), "round " + round + ": missing " + stable.stream()
                    .filter(k -> !seen.contains(k)).toList());
        }
    }

    @Test
    void scanSkipsLongRunsOfEmptySlotsInBoundedSteps() {
        Keyspace keyspace = new Keyspace();
        for (int i = 0; i < 1000; i++) {
            keyspace.create(StoreKey.of("k" + i), new byte[0], 0);
        }
        for (int i = 0; i < 999; i++) {
            keyspace.remove(StoreKey.of("k" + i));
        }
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int steps = 0;
        do {
            cursor = keyspace.scan(cursor, 10, e -> seen.add(e.key.toString()));
            steps++;
        } while (cursor != 0);
        assertEquals(Set.of("k999"), seen);
        assertTrue(steps >= 10, "each step passes at most 100 empty slots, took " + steps + " steps");
    }
}
