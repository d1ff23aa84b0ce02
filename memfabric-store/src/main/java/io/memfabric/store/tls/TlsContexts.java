package io.memfabric.store.tls;

import io.memfabric.error.ConfigurationException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CRL;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * Netty {@link SslContext}s for the config store, built from {@link TlsOptions}: TLS 1.3 only, the JDK provider,
 * peers verified against the CA file, and, when a CRL is given, revocation checked against it (PKIX with the CRL as
 * its only source: no network look-ups). Without a CRL, revocation is not checked.
 *
 * <p>A client context verifies the server's host name (Netty's default endpoint identification): create handlers
 * with {@code context.newHandler(alloc, host, port)} so that the name or IP is known; the server certificate must
 * name it (an IP SAN for {@code tcp://127.0.0.1:...}).
 *
 * <p>Thread safety: stateless; the contexts built are immutable and shared by all connections.
 */
public final class TlsContexts {
    /** The only protocol offered or accepted. */
    public static final String PROTOCOL = "TLSv1.3";

    private TlsContexts() {
    }

    /**
     * @param options server settings: certificate and key required
     * @return the server context; requires client certificates when {@link TlsOptions#requireClientCertificate()}
     * @throws ConfigurationException naming the file that cannot be used
     */
    public static SslContext forServer(TlsOptions options) {
        Path certificate = options.certificate().orElseThrow(() -> new ConfigurationException(
                "tls certificate=null (expected: a PEM certificate chain for the server)"));
        Path key = options.privateKey().orElseThrow(() -> new ConfigurationException(
                "tls privateKey=null (expected: a PEM PKCS#8 key for the server)"));
        try {
            return SslContextBuilder.forServer(certificate.toFile(), key.toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOL)
                    .trustManager(trustManagerFactory(options))
                    .clientAuth(options.requireClientCertificate() ? ClientAuth.REQUIRE : ClientAuth.NONE)
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("tls server certificate=" + certificate + " privateKey=" + key
                    + ": cannot build a TLS context (" + e.getMessage() + ")", e);
        }
    }

    /**
     * @param options client settings: the CA file; a certificate and key when the server requires them
     * @return the client context
     * @throws ConfigurationException naming the file that cannot be used
     */
    public static SslContext forClient(TlsOptions options) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOL)
                    .trustManager(trustManagerFactory(options));
            if (options.certificate().isPresent()) {
                builder.keyManager(options.certificate().get().toFile(), options.privateKey().orElseThrow().toFile());
            }
            return builder.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("tls client certificate=" + options.certificate().orElse(null)
                    + " privateKey=" + options.privateKey().orElse(null) + ": cannot build a TLS context ("
                    + e.getMessage() + ")", e);
        }
    }

    /**
     * Trust in the CA file's certificates; with a CRL file, PKIX validation with revocation checked against it.
     *
     * @throws ConfigurationException naming the CA or CRL file that cannot be read
     */
    static TrustManagerFactory trustManagerFactory(TlsOptions options) {
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            Collection<? extends Certificate> cas = readCertificates(options.caFile());
            if (cas.isEmpty()) {
                throw new ConfigurationException("tls caFile=" + options.caFile()
                        + ": no certificate found (expected: PEM CA certificates)");
            }
            int i = 0;
            for (Certificate ca : cas) {
                anchors.setCertificateEntry("ca-" + i++, ca);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            if (options.crlFile().isEmpty()) {
                factory.init(anchors);
                return factory;
            }
            Collection<? extends CRL> crls = readCrls(options.crlFile().get());
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
            parameters.setRevocationEnabled(true);
            factory.init(new CertPathTrustManagerParameters(parameters));
            return factory;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("tls caFile=" + options.caFile() + " crlFile="
                    + options.crlFile().orElse(null) + ": cannot load (" + e.getMessage() + ")", e);
        }
    }

    private static Collection<? extends Certificate> readCertificates(Path file)
            throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static Collection<? extends CRL> readCrls(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends CRL> crls = CertificateFactory.getInstance("X.509").generateCRLs(in);
            if (crls.isEmpty()) {
                throw new ConfigurationException("tls crlFile=" + file + ": no CRL found (expected: a PEM or DER "
                        + "X.509 CRL)");
            }
            return crls;
        }
    }

    /** @return the certificates of a PEM file, for diagnostics and tests. */
    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        return readCertificates(file).stream().map(X509Certificate.class::cast).toList();
    }
}
