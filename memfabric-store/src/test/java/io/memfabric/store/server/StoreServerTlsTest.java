package io.memfabric.store.server;

import io.memfabric.error.ConfigurationException;
import io.memfabric.store.protocol.RespLimits;
import io.memfabric.store.protocol.RespReplyDecoder;
import io.memfabric.store.tls.TlsContexts;
import io.memfabric.store.tls.TlsOptions;
import io.memfabric.testsupport.TestCertificates;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** TLS 1.3: server verification, mutual TLS, CRL revocation, AUTH over TLS. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreServerTlsTest {
    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private StoreServer server;

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.generate(dir);
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private void start(TlsOptions tls, String secret) {
        server = StoreServer.start(TestServers.options().tls(tls).authSecret(secret).build());
    }

    /** Connects with a JDK socket built from the client context the store client will use. */
    private RespTestClient connect(TlsOptions clientOptions) throws IOException {
        JdkSslContext context = (JdkSslContext) TlsContexts.forClient(clientOptions);
        SSLSocket socket = (SSLSocket) context.context().getSocketFactory().createSocket("127.0.0.1",
                server.localAddress().getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(new String[] {TlsContexts.PROTOCOL});
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(20_000);
        socket.startHandshake();
        assertEquals(TlsContexts.PROTOCOL, socket.getSession().getProtocol());
        return RespTestClient.over(socket);
    }

    private TlsOptions serverOptions() {
        return TlsOptions.server(certs.caCert(), certs.serverCert(), certs.serverKey());
    }

    @Test
    void aClientThatTrustsTheCaConnects() throws IOException {
        start(serverOptions(), null);
        try (RespTestClient c = connect(TlsOptions.client(certs.caCert()))) {
            assertEquals("+OK", c.text("SET", "tls", "on"));
            assertEquals("$2:on", c.text("GET", "tls"));
        }
    }

    @Test
    void aClientWithoutTheCaCannotConnect() {
        start(serverOptions(), null);
        assertThrows(SSLException.class, () -> connect(TlsOptions.client(certs.otherCaCert())).close());
        TestServers.await("the refused connection is closed", () -> server.connectedClients() == 0);
    }

    @Test
    void aPlainTextClientGetsNoAnswer() {
        start(serverOptions(), null);
        try (RespTestClient c = RespTestClient.connect(server)) {
            c.send("PING");
            assertTrue(c.awaitClosed(java.time.Duration.ofSeconds(10)), "the server closes a plain-text client");
        }
    }

    @Test
    void mutualTlsAcceptsAClientCertificateFromTheCa() throws IOException {
        start(serverOptions().withCrl(certs.crl()).withClientCertificateRequired(), null);
        try (RespTestClient c = connect(TlsOptions.client(certs.caCert(), certs.clientCert(), certs.clientKey()))) {
            assertEquals("+PONG", c.text("PING"));
        }
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificate() {
        start(serverOptions().withClientCertificateRequired(), null);
        assertRefused(TlsOptions.client(certs.caCert()));
    }

    @Test
    void mutualTlsRefusesARevokedClientCertificate() {
        start(serverOptions().withCrl(certs.crl()).withClientCertificateRequired(), null);
        assertRefused(TlsOptions.client(certs.caCert(), certs.revokedClientCert(), certs.revokedClientKey()));
        try {
            try (RespTestClient c = connect(TlsOptions.client(certs.caCert(), certs.clientCert(),
                    certs.clientKey()))) {
                assertEquals("+PONG", c.text("PING"), "a certificate the CRL does not list is accepted");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * In TLS 1.3 the server checks the client's certificate after the client considers the handshake done, so the
     * refusal shows either in the handshake or as an alert (or a closed connection) on the first read.
     */
    private void assertRefused(TlsOptions clientOptions) {
        RespTestClient c;
        try {
            c = connect(clientOptions);
        } catch (IOException e) {
            return;
        }
        try (c) {
            try {
                String reply = c.text("PING");
                fail("a refused client got a reply: " + reply);
            } catch (UncheckedIOException | AssertionError e) {
                if (e instanceof AssertionError && e.getMessage().startsWith("a refused client")) {
                    throw e;
                }
            }
        }
    }

    @Test
    void withAuthOverTlsCommandsNeedAuthFirst() throws IOException {
        start(serverOptions(), "tls-and-auth");
        try (RespTestClient c = connect(TlsOptions.client(certs.caCert()))) {
            assertEquals("-NOAUTH Authentication required.", c.text("GET", "k"));
            assertEquals("+OK", c.text("AUTH", "tls-and-auth"));
            assertEquals("$-1", c.text("GET", "k"));
        }
    }

    @Test
    void unusableFilesAreConfigurationErrors() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> TlsContexts.forServer(TlsOptions.server(certs.caCert(), garbage, certs.serverKey())));
        assertTrue(e.getMessage().contains("garbage.pem"), e.getMessage());
        e = assertThrows(ConfigurationException.class,
                () -> TlsContexts.forClient(TlsOptions.client(garbage)));
        assertTrue(e.getMessage().contains("garbage.pem"), e.getMessage());
        e = assertThrows(ConfigurationException.class,
                () -> TlsContexts.forServer(serverOptions().withCrl(garbage)));
        assertTrue(e.getMessage().contains("garbage.pem"), e.getMessage());
    }

    @Test
    void tlsCanBeConfiguredThroughProperties() throws IOException {
        System.setProperty(StoreServerOptions.TLS_CERTIFICATE_PROP, certs.serverCert().toString());
        System.setProperty(StoreServerOptions.TLS_PRIVATE_KEY_PROP, certs.serverKey().toString());
        System.setProperty(StoreServerOptions.TLS_CA_FILE_PROP, certs.caCert().toString());
        System.setProperty(StoreServerOptions.TLS_REQUIRE_CLIENT_CERTIFICATE_PROP, "true");
        try {
            StoreServerOptions options = TestServers.options().build();
            assertTrue(options.tls().orElseThrow().requireClientCertificate());
            server = StoreServer.start(options);
            try (RespTestClient c = connect(TlsOptions.client(certs.caCert(), certs.clientCert(),
                    certs.clientKey()))) {
                assertEquals("+PONG", c.text("PING"));
            }
            System.clearProperty(StoreServerOptions.TLS_PRIVATE_KEY_PROP);
            ConfigurationException e = assertThrows(ConfigurationException.class, StoreServerOptions::builder);
            assertTrue(e.getMessage().contains(StoreServerOptions.TLS_PRIVATE_KEY_PROP), e.getMessage());
        } finally {
            System.clearProperty(StoreServerOptions.TLS_CERTIFICATE_PROP);
            System.clearProperty(StoreServerOptions.TLS_PRIVATE_KEY_PROP);
            System.clearProperty(StoreServerOptions.TLS_CA_FILE_PROP);
            System.clearProperty(StoreServerOptions.TLS_REQUIRE_CLIENT_CERTIFICATE_PROP);
        }
    }

    /** What the store client does: a Netty channel with {@code TlsContexts.forClient} and host-name verification. */
    private String pingThroughNetty(TlsOptions clientOptions, String host) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                NioIoHandler.newFactory());
        try {
            SslContext context = TlsContexts.forClient(clientOptions);
            CompletableFuture<String> reply = new CompletableFuture<>();
            Channel channel = new Bootstrap().group(group)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(context.newHandler(ch.alloc(), host,
                                    server.localAddress().getPort()));
                            ch.pipeline().addLast(new RespReplyDecoder(
                                    RespLimits.forReplies(1 << 20)));
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    reply.complete(msg.toString());
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx,
                                                            Throwable cause) {
                                    reply.completeExceptionally(cause);
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    reply.completeExceptionally(new IOException("closed"));
                                }
                            });
                        }
                    })
                    .connect(server.localAddress()).sync().channel();
            channel.writeAndFlush(Unpooled.copiedBuffer("*1\r\n$4\r\nPING\r\n",
                    StandardCharsets.US_ASCII));
            try {
                return reply.get(20, TimeUnit.SECONDS);
            } finally {
                channel.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void theNettyClientContextVerifiesTheServerName() throws Exception {
        start(serverOptions(), null);
        assertEquals("+PONG", pingThroughNetty(TlsOptions.client(certs.caCert()), "127.0.0.1"));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pingThroughNetty(TlsOptions.client(certs.caCert()), "127.0.0.2"));
        assertTrue(e.getCause() instanceof SSLException || e.getCause().getCause() instanceof SSLException,
                "a certificate for another address is refused: " + e.getCause());
    }

    @Test
    void aClientBeyondTheMaximumIsRefusedAfterTheHandshake() throws IOException {
        server = StoreServer.start(TestServers.options().tls(serverOptions()).maxClients(1).build());
        try (RespTestClient first = connect(TlsOptions.client(certs.caCert()));
             RespTestClient second = connect(TlsOptions.client(certs.caCert()))) {
            assertEquals("+PONG", first.text("PING"));
            assertEquals("-ERR max number of clients reached", second.read().toString());
            assertTrue(second.awaitClosed(java.time.Duration.ofSeconds(10)));
        }
    }
}
