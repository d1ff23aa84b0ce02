package io.memfabric.cli;

import io.memfabric.error.ConfigurationException;
import io.memfabric.store.StoreUrl;
import io.memfabric.store.server.StoreServer;
import io.memfabric.store.server.StoreServerOptions;
import io.memfabric.store.tls.TlsOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code memfabric store}: runs a standalone config store until SIGTERM or SIGINT, then stops gracefully (blocked
 * waiters are released with an error, connections closed, the event loop joined).
 */
@Command(name = "store", mixinStandardHelpOptions = true,
        description = {"Runs a standalone config store (RESP2: redis-cli and redis-benchmark can talk to it).",
            "Stops gracefully on SIGTERM or Ctrl-C."})
final class StoreCommand implements Callable<Integer> {
    @Option(names = "--listen", defaultValue = "tcp://127.0.0.1:7000", converter = Converters.Url.class,
            description = "Address to listen on: tcp://<ipv4>:<port> or tcp://[<ipv6>]:<port> "
                    + "(default: ${DEFAULT-VALUE}).")
    StoreUrl listen;

    @Option(names = "--auth-file", description = "File holding the shared secret clients must send with AUTH "
            + "(default: none, or env MEMFABRIC_STORE_AUTH_SECRET).")
    Path authFile;

    @Option(names = "--tls-ca", description = "PEM CA bundle; turns TLS 1.3 on (with --tls-cert and --tls-key).")
    Path tlsCa;

    @Option(names = "--tls-cert", description = "PEM certificate chain of the server.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM PKCS#8 private key of the server.")
    Path tlsKey;

    @Option(names = "--tls-crl", description = "Certificate revocation list checked against client certificates.")
    Path tlsCrl;

    @Option(names = "--tls-require-client-cert", description = "Clients must present a certificate (mutual TLS).")
    boolean tlsRequireClientCert;

    @Option(names = "--heartbeat", converter = Converters.Time.class,
            description = "Heartbeat period of clients that said MF.HELLO (default: 2s).")
    Duration heartbeat;

    @Option(names = "--max-clients", description = "Most connections at once (default: 10000).")
    Integer maxClients;

    @Option(names = "--max-value", converter = Converters.Size.class, description = "Largest value (default: 64m).")
    Long maxValueBytes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StoreServerOptions options = options();
        CountDownLatch stopRequested = new CountDownLatch(1);
        try (StoreServer server = StoreServer.start(options)) {
            // SIGTERM and SIGINT ask main to stop the server and return normally (exit 0); the JVM's default
            // handling would run shutdown hooks and exit 143. The hook remains for other ways the JVM may end.
            for (String name : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(name), signal -> stopRequested.countDown());
            }
            Thread hook = new Thread(server::close, "memfabric-store-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            // The readiness line: scripts and tests wait for it.
            System.out.println("memfabric store listening on " + server.url()
                    + (tlsCa != null ? " (TLS 1.3)" : "") + (authFile != null ? " (AUTH required)" : ""));
            System.out.flush();
            stopRequested.await();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        System.out.println("memfabric store stopped");
        return 0;
    }

    /** @return the server's options; every option checked, a bad one a usage error naming it */
    private StoreServerOptions options() {
        OptionChecks.readableFile(spec, "--auth-file", authFile);
        OptionChecks.readableFile(spec, "--tls-ca", tlsCa);
        OptionChecks.readableFile(spec, "--tls-cert", tlsCert);
        OptionChecks.readableFile(spec, "--tls-key", tlsKey);
        OptionChecks.readableFile(spec, "--tls-crl", tlsCrl);
        try {
            StoreServerOptions.Builder builder = StoreServerOptions.builder().listen(listen);
            if (authFile != null) {
                builder.authSecretFile(authFile);
            }
            if (tlsCa != null || tlsCert != null || tlsKey != null) {
                builder.tls(new TlsOptions(tlsCa, Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey),
                        Optional.ofNullable(tlsCrl), tlsRequireClientCert));
            }
            if (heartbeat != null) {
                builder.heartbeatPeriod(heartbeat);
            }
            if (maxClients != null) {
                builder.maxClients(maxClients);
            }
            if (maxValueBytes != null) {
                builder.maxValueBytes(maxValueBytes);
            }
            return builder.build();
        } catch (ConfigurationException e) {
            throw OptionChecks.usage(spec, e.getMessage());
        }
    }
}
