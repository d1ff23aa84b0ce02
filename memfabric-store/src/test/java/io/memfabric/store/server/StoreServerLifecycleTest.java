package io.memfabric.store.server;

import io.memfabric.error.ConfigurationException;
import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.StoreUrl;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start, stop, address races, IPv6, options, AUTH. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreServerLifecycleTest {

    @Test
    void startsOnAnEphemeralPortAndReportsItsUrl() {
        try (StoreServer server = TestServers.start()) {
            int port = server.localAddress().getPort();
            assertTrue(port > 0);
            assertEquals(StoreUrl.parse("tcp://127.0.0.1:" + port), server.url());
            try (RespTestClient c = RespTestClient.connect(server.url().socketAddress())) {
                assertEquals("+PONG", c.text("PING"));
            }
        }
    }

    @Test
    void servesOnOneEventLoopThreadNamedMemfabricStoreIo() {
        try (StoreServer server = TestServers.start(); RespTestClient c = RespTestClient.connect(server)) {
            c.text("PING");
            long named = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(StoreServer.THREAD_NAME)).count();
            assertTrue(named >= 1, "a thread named " + StoreServer.THREAD_NAME);
        }
    }

    @Test
    void closeIsIdempotentAndDisconnectsClients() {
        StoreServer server = TestServers.start();
        RespTestClient c = RespTestClient.connect(server);
        assertEquals("+PONG", c.text("PING"));
        server.close();
        server.close();
        assertTrue(c.awaitClosed(Duration.ofSeconds(10)));
        assertEquals(0, server.connectedClients());
        c.close();
    }

    @Test
    void startOnATakenAddressFailsNamingIt() {
        try (StoreServer first = TestServers.start()) {
            InetSocketAddress taken = first.localAddress();
            StoreException e = assertThrows(StoreException.class,
                    () -> StoreServer.start(TestServers.options().listen(taken).build()));
            assertEquals(ErrorCode.STORE_IO_ERROR, e.code());
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getPort()), e.getMessage());
        }
    }

    @Test
    void startIfAbsentIsEmptyWhenAnotherServerHoldsTheAddress() {
        try (StoreServer first = TestServers.start()) {
            Optional<StoreServer> second = StoreServer.startIfAbsent(TestServers.options()
                    .listen(first.url()).build());
            assertTrue(second.isEmpty());
            try (RespTestClient c = RespTestClient.connect(first)) {
                assertEquals("+PONG", c.text("PING"), "the first server still serves");
            }
        }
    }

    @Test
    void aServerRestartsOnTheSamePortWhileOldConnectionsAreInTimeWait() {
        StoreServer first = TestServers.start();
        InetSocketAddress address = first.localAddress();
        for (int i = 0; i < 5; i++) {
            try (RespTestClient c = RespTestClient.connect(first)) {
                assertEquals("+PONG", c.text("PING"));
            }
        }
        RespTestClient open = RespTestClient.connect(first);
        assertEquals("+PONG", open.text("PING"));
        first.close();
        assertTrue(open.awaitClosed(Duration.ofSeconds(10)));
        open.close();
        Optional<StoreServer> again = StoreServer.startIfAbsent(TestServers.options().listen(address).build());
        assertTrue(again.isPresent(), "the port is free again");
        try (StoreServer second = again.get(); RespTestClient c = RespTestClient.connect(second)) {
            assertEquals(address, second.localAddress());
            assertEquals("+PONG", c.text("PING"));
        }
    }

    @Test
    void startIfAbsentIsEmptyWhenAnyProcessListensThere() throws IOException {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Optional<StoreServer> server = StoreServer.startIfAbsent(TestServers.options()
                    .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), other.getLocalPort())).build());
            assertTrue(server.isEmpty());
        }
    }

    @Test
    void startIfAbsentStartsWhenTheAddressIsFree() {
        Optional<StoreServer> server = StoreServer.startIfAbsent(TestServers.options().build());
        assertTrue(server.isPresent());
        server.get().close();
    }

    @Test
    void listensOnIpv6LoopbackWhenTheMachineHasIt() throws IOException {
        InetAddress v6;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            v6 = probe.getInetAddress();
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback here: " + e);
            return;
        }
        try (StoreServer server = StoreServer.start(TestServers.options().listen(new InetSocketAddress(v6, 0))
                .build())) {
            assertTrue(server.localAddress().getAddress() instanceof Inet6Address);
            StoreUrl url = server.url();
            assertTrue(url.ipv6());
            assertEquals("tcp://[::1]:" + server.localAddress().getPort(), url.toString());
            try (RespTestClient c = RespTestClient.connect(StoreUrl.parse(url.toString()).socketAddress())) {
                assertEquals("+OK", c.text("SET", "v6", "yes"));
                assertEquals("$3:yes", c.text("GET", "v6"));
            }
        }
    }

    @Test
    void ipv6UrlsUseTheCompressedForm() throws IOException {
        String[][] cases = {
            {"::1", "::1"}, {"::", "::"}, {"2001:db8:0:0:0:0:0:1", "2001:db8::1"},
            {"1:0:0:2:0:0:0:3", "1:0:0:2::3"}, {"1:0:0:0:0:0:0:0", "1::"}, {"fe80:0:1:0:1:0:1:0", "fe80:0:1:0:1:0:1:0"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], StoreServer.compressIpv6(InetAddress.getByName(c[0]).getAddress()), c[0]);
        }
    }

    @Test
    void optionsRejectBadValuesNamingThem() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> TestServers.options().maxKeyBytes(0).build());
        assertTrue(e.getMessage().startsWith("maxKeyBytes=0 (expected: 1.."), e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> TestServers.options().maxClients(0).build());
        assertEquals("maxClients=0 (expected: 1..1000000)", e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> TestServers.options().maxArguments(3).build());
        assertEquals("maxArguments=3 (expected: 4..1048576)", e.getMessage());
        e = assertThrows(ConfigurationException.class,
                () -> TestServers.options().heartbeatPeriod(Duration.ofMillis(1)).build());
        assertTrue(e.getMessage().startsWith("heartbeatPeriod=PT0.001S (expected:"), e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> TestServers.options().missedHeartbeats(0).build());
        assertEquals("missedHeartbeats=0 (expected: 1..1000)", e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> TestServers.options().authSecret("").build());
        assertTrue(e.getMessage().startsWith("authSecret="), e.getMessage());
        e = assertThrows(ConfigurationException.class,
                () -> TestServers.options().authSecretFile(Path.of("/nonexistent/secret")).build());
        assertTrue(e.getMessage().startsWith("authSecretFile=/nonexistent/secret"), e.getMessage());
    }

    @Test
    void optionsHaveTheDocumentedDefaults() {
        StoreServerOptions options = StoreServerOptions.builder().build();
        assertEquals(StoreUrl.parse(StoreServerOptions.LISTEN_DEFAULT).socketAddress(), options.listen());
        assertEquals(2048, options.maxKeyBytes());
        assertEquals(64L << 20, options.maxValueBytes());
        assertEquals(1024, options.maxArguments());
        assertEquals(10000, options.maxClients());
        assertEquals(Duration.ofSeconds(2), options.heartbeatPeriod());
        assertEquals(3, options.missedHeartbeats());
        assertTrue(options.tls().isEmpty());
        assertTrue(options.authSecret().isEmpty());
    }

    @Test
    void optionsReadSystemProperties() {
        System.setProperty(StoreServerOptions.MAX_VALUE_BYTES_PROP, "1m");
        System.setProperty(StoreServerOptions.HEARTBEAT_PERIOD_PROP, "500ms");
        try {
            StoreServerOptions options = StoreServerOptions.builder().build();
            assertEquals(1L << 20, options.maxValueBytes());
            assertEquals(Duration.ofMillis(500), options.heartbeatPeriod());
            System.setProperty(StoreServerOptions.MAX_CLIENTS_PROP, "many");
            ConfigurationException e = assertThrows(ConfigurationException.class, StoreServerOptions::builder);
            assertTrue(e.getMessage().startsWith("memfabric.store.max.clients=many (system property)"),
                    e.getMessage());
        } finally {
            System.clearProperty(StoreServerOptions.MAX_VALUE_BYTES_PROP);
            System.clearProperty(StoreServerOptions.HEARTBEAT_PERIOD_PROP);
            System.clearProperty(StoreServerOptions.MAX_CLIENTS_PROP);
        }
    }

    @Test
    void withAuthCommandsFailWithNoauthUntilAuthSucceeds(@TempDir Path dir) throws IOException {
        Path secretFile = dir.resolve("secret");
        Files.writeString(secretFile, "s3cret-from-file\n");
        try (StoreServer server = StoreServer.start(TestServers.options().authSecretFile(secretFile).build());
             RespTestClient c = RespTestClient.connect(server)) {
            assertEquals("-NOAUTH Authentication required.", c.text("GET", "k"));
            assertEquals("-NOAUTH Authentication required.", c.text("PING"));
            assertEquals("-NOAUTH Authentication required.", c.text("MF.WAIT", "k", "0"));
            assertEquals("-ERR unknown command 'NOPE', with args beginning with: ", c.text("NOPE"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", c.text("AUTH", "bad"));
            assertEquals("-NOAUTH Authentication required.", c.text("SET", "k", "v"));
            assertEquals("+OK", c.text("AUTH", "s3cret-from-file"));
            assertEquals("+OK", c.text("SET", "k", "v"));
            assertEquals("$1:v", c.text("GET", "k"));
            assertEquals("+OK", c.text("AUTH", "default", "s3cret-from-file"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.",
                    c.text("AUTH", "admin", "s3cret-from-file"));
        }
    }

    @Test
    void authSecretComesFromTheSystemProperty() {
        System.setProperty(StoreServerOptions.AUTH_SECRET_PROP, "prop-secret");
        try (StoreServer server = StoreServer.start(TestServers.options().build());
             RespTestClient c = RespTestClient.connect(server)) {
            assertEquals("-NOAUTH Authentication required.", c.text("GET", "k"));
            assertEquals("+OK", c.text("AUTH", "prop-secret"));
            assertEquals("$-1", c.text("GET", "k"));
            assertFalse(server.options().toString().contains("prop-secret"), "options never print the secret");
        } finally {
            System.clearProperty(StoreServerOptions.AUTH_SECRET_PROP);
        }
    }
}
