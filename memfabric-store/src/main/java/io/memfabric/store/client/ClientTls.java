package io.memfabric.store.client;

import io.memfabric.error.ConfigurationException;
import io.memfabric.store.tls.TlsOptions;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;

/**
 * The client side's TLS context: TLS 1.3, the server verified against the CA bundle and its certificate's subject
 * alternative names checked against the store address ({@code HTTPS} endpoint identification: an IP address URL needs
 * an IP SAN), and this client's own certificate presented when one is configured.
 *
 * <p>Thread safety: stateless.
 */
final class ClientTls {
    private ClientTls() {
    }

    static SslContext context(TlsOptions tls) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .protocols("TLSv1.3")
                    .endpointIdentificationAlgorithm("HTTPS")
                    .trustManager(tls.caFile().toFile());
            if (tls.certificate().isPresent() && tls.privateKey().isPresent()) {
                builder.keyManager(tls.certificate().get().toFile(), tls.privateKey().get().toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigurationException("tls caFile=" + tls.caFile() + " certificate="
                    + tls.certificate().orElse(null) + ": cannot build a TLS context: " + e.getMessage(), e);
        }
    }
}
