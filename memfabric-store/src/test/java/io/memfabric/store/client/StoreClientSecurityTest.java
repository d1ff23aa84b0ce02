package io.memfabric.store.client;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.StoreException;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import io.memfabric.store.tls.TlsOptions;
import io.memfabric.testsupport.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.memfabric.store.client.ClientTests.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS 1.3 and AUTH from the client side, against memfabric's store server. */
@Timeout(60)
class StoreClientSecurityTest {
    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private StoreServer server;

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.generate(dir);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(StoreServerOptions.Builder options) {
        server = StoreServer.start(options.build());
    }

    private StoreClient connect(TlsOptions tls, String secret) {
        return StoreClient.connect(ClientTests.options(server).tls(tls).authSecret(secret).build());
    }

    private static TlsOptions serverTls() {
        return TlsOptions.server(certs.caCert(), certs.serverCert(), certs.serverKey());
    }

    @Test
    void aClientThatTrustsTheCaConnectsOverTls() throws Exception {
        start(ClientTests.serverOptions().tls(serverTls()));
        try (StoreClient client = connect(TlsOptions.client(certs.caCert()), null)) {
            client.set("tls", bytes("on"));
            assertArrayEquals(bytes("on"), client.get("tls"));
            assertArrayEquals(bytes("on"), client.waitFor("tls", Duration.ofSeconds(5)), "blocking connections too");
            BlockingQueue<byte[]> fired = new LinkedBlockingQueue<>();
            client.watch("tls", fired::add);
            assertArrayEquals(bytes("on"), fired.poll(10, TimeUnit.SECONDS), "and the push connection");
        }
    }

    @Test
    void aClientThatDoesNotTrustTheServerFailsToConnectNamingTheUrl() {
        start(ClientTests.serverOptions().tls(serverTls()));
        StoreException e = assertThrows(StoreException.class,
                () -> connect(TlsOptions.client(certs.otherCaCert()), null));
        assertEquals(ErrorCode.STORE_IO_ERROR, e.code());
        assertTrue(e.getMessage().contains(server.url().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
    }

    @Test
    void mutualTlsAcceptsAClientCertificateAndRefusesAClientWithout() {
        start(ClientTests.serverOptions().tls(serverTls().withClientCertificateRequired()));
        try (StoreClient client = connect(TlsOptions.client(certs.caCert(), certs.clientCert(), certs.clientKey()),
                null)) {
            client.set("mtls", bytes("yes"));
            assertArrayEquals(bytes("yes"), client.get("mtls"));
        }
        StoreException e = assertThrows(StoreException.class, () -> connect(TlsOptions.client(certs.caCert()), null));
        assertEquals(ErrorCode.STORE_IO_ERROR, e.code());
        assertTrue(e.getMessage().contains(server.url().toString()), e.getMessage());
    }

    @Test
    void aRevokedClientCertificateIsRefused() {
        start(ClientTests.serverOptions().tls(serverTls().withClientCertificateRequired().withCrl(certs.crl())));
        StoreException e = assertThrows(StoreException.class, () -> connect(
                TlsOptions.client(certs.caCert(), certs.revokedClientCert(), certs.revokedClientKey()), null));
        assertEquals(ErrorCode.STORE_IO_ERROR, e.code());
        assertTrue(e.getMessage().contains(server.url().toString()), e.getMessage());
    }

    @Test
    void theRightSecretAuthenticatesEveryConnection() throws Exception {
        start(ClientTests.serverOptions().authSecret("s3cret"));
        try (StoreClient client = connect(null, "s3cret")) {
            client.set("auth", bytes("ok"));
            assertArrayEquals(bytes("ok"), client.get("auth"));
            assertArrayEquals(bytes("ok"), client.waitFor("auth", Duration.ofSeconds(5)));
            BlockingQueue<byte[]> fired = new LinkedBlockingQueue<>();
            client.watch("auth", fired::add);
            assertArrayEquals(bytes("ok"), fired.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aWrongSecretFailsWithAuthFailed() {
        start(ClientTests.serverOptions().authSecret("s3cret"));
        StoreException e = assertThrows(StoreException.class, () -> connect(null, "wrong"));
        assertEquals(ErrorCode.STORE_AUTH_FAILED, e.code());
        assertTrue(e.getMessage().contains(server.url().toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("wrong"), "the secret is never printed: " + e.getMessage());
    }

    @Test
    void noSecretFailsWithAuthRequired() {
        start(ClientTests.serverOptions().authSecret("s3cret"));
        StoreException e = assertThrows(StoreException.class, () -> connect(null, null));
        assertEquals(ErrorCode.STORE_AUTH_REQUIRED, e.code());
    }

    @Test
    void authWorksOverTls() {
        start(ClientTests.serverOptions().tls(serverTls()).authSecret("s3cret"));
        try (StoreClient client = connect(TlsOptions.client(certs.caCert()), "s3cret")) {
            client.set("both", bytes("yes"));
            assertArrayEquals(bytes("yes"), client.get("both"));
        }
    }
}
