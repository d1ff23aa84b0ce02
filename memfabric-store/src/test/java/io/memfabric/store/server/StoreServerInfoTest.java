package io.memfabric.store.server;

import io.memfabric.store.protocol.RespMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class StoreServerInfoTest {
    @Test
    void infoCountsClientsBlockedWaitsWatchesAndKeys() {
        try (StoreServer server = TestServers.start();
             RespTestClient observer = RespTestClient.connect(server);
             RespTestClient waiter = RespTestClient.connect(server);
             RespTestClient watcher = RespTestClient.connect(server)) {
            observer.call("SET", "a", "1");
            observer.call("SET", "b", "2");
            String idle = info(observer, "clients");
            assertTrue(idle.contains("connected_clients:3\r\n"), idle);
            assertTrue(idle.contains("blocked_clients:0\r\n"), idle);
            assertFalse(idle.contains("# Keyspace"), "only the asked section: " + idle);

            waiter.send("MF.WAIT", "never", "-1");
            watcher.call("MF.WATCH", "later");
            TestServers.await("the wait is pending on the server",
                    () -> info(observer, "clients").contains("blocked_clients:1\r\n"));
            String all = info(observer, null);
            assertTrue(all.contains("# Server\r\n") && all.contains("# Clients\r\n")
                    && all.contains("# Memfabric\r\n") && all.contains("# Keyspace\r\n"), all);
            assertTrue(all.contains("pending_waits:1\r\n"), all);
            assertTrue(all.contains("pending_watches:1\r\n"), all);
            assertTrue(all.contains("db0:keys=2,expires=0,avg_ttl=0\r\n"), all);

            observer.call("SET", "never", "now");
            TestServers.await("the wait was released",
                    () -> info(observer, "clients").contains("blocked_clients:0\r\n"));
        }
    }

    private static String info(RespTestClient client, String section) {
        RespMessage reply = section == null ? client.call("INFO") : client.call("INFO", section);
        return new String(assertInstanceOf(RespMessage.Bulk.class, reply).bytes(), StandardCharsets.US_ASCII);
    }
}
