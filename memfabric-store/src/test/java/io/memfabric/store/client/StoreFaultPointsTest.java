package io.memfabric.store.client;

import io.memfabric.common.fault.FaultAction;
import io.memfabric.common.fault.FaultActivation;
import io.memfabric.common.fault.FaultInjector;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreFaultPoints;
import io.memfabric.store.server.StoreServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static io.memfabric.store.client.ClientTests.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's fault points fail the way the real faults do: typed errors, then a reconnect that heals. */
@Timeout(60)
class StoreFaultPointsTest {
    private StoreServer server;

    @BeforeEach
    void start() {
        server = ClientTests.startServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private StoreClient connect() {
        return StoreClient.connect(ClientTests.options(server).connectBackoff(Duration.ofMillis(10),
                Duration.ofMillis(50)).build());
    }

    @Test
    void aFailedSendFailsTheCallInFlightWithAnIoErrorAndTheClientReconnects() {
        try (StoreClient client = connect()) {
            client.set("k", bytes("before"));
            try (FaultActivation send = FaultInjector.activate(StoreFaultPoints.CLIENT_SEND.name(),
                    FaultAction.fail().times(1))) {
                StoreException e = assertThrows(StoreException.class, () -> client.set("k", bytes("lost")));
                assertEquals(ErrorCode.STORE_IO_ERROR, e.code());
                assertTrue(e.getMessage().contains("fault injected at store.client.send"), e.getMessage());
                assertEquals(1, send.fired());
            }
            assertArrayEquals(bytes("before"), client.get("k"), "the failed SET never reached the server");
        }
    }

    @Test
    void aFailedReceiveBreaksTheConnectionAndTheNextCallSucceeds() {
        try (StoreClient client = connect()) {
            client.set("k", bytes("v"));
            try (FaultActivation receive = FaultInjector.activate(StoreFaultPoints.CLIENT_RECEIVE.name(),
                    FaultAction.fail().times(1))) {
                StoreException e = assertThrows(StoreException.class, () -> client.get("k"));
                assertEquals(ErrorCode.STORE_IO_ERROR, e.code());
                assertTrue(e.getMessage().contains("fault injected at store.client.receive"), e.getMessage());
                assertEquals(1, receive.fired());
            }
            assertArrayEquals(bytes("v"), client.get("k"));
        }
    }

    @Test
    void failedConnectsAndRefusedAcceptsAreRetriedWithBackoff() {
        try (FaultActivation connect = FaultInjector.activate(StoreFaultPoints.CLIENT_CONNECT.name(),
                FaultAction.fail().times(2));
             FaultActivation accept = FaultInjector.activate(StoreFaultPoints.SERVER_ACCEPT.name(),
                     FaultAction.fail().times(1));
             StoreClient client = connect()) {
            client.set("k", bytes("v"));
            assertEquals(2, connect.fired(), "two attempts failed, the third connected");
            assertEquals(1, accept.fired(), "and the server closed one accepted connection before admitting it");
        }
    }

    @Test
    void aDelayedSendStallsTheCallByTheDelay() {
        try (StoreClient client = connect()) {
            client.set("k", bytes("v"));
            try (FaultActivation slow = FaultInjector.activate(StoreFaultPoints.CLIENT_SEND.name(),
                    FaultAction.parse("delay:200ms*1"))) {
                long start = System.nanoTime();
                assertArrayEquals(bytes("v"), client.get("k"));
                assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos());
                assertEquals(1, slow.fired());
            }
        }
    }
}
