package io.memfabric.store.tls;

import io.memfabric.error.ConfigurationException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS 1.3 settings for the config store, server or client side. Off by default, as upstream; one option turns it on.
 * Files are PEM: a CA bundle that peers' certificates must chain to, this side's certificate chain and PKCS#8 private
 * key, and an optional CRL that revokes peer certificates.
 *
 * <p>Server: presents {@code certificate}/{@code privateKey}; when {@code requireClientCertificate} is set, clients
 * must present a certificate that chains to {@code caFile}. Client: verifies the server against {@code caFile}, and
 * presents {@code certificate}/{@code privateKey} when they are given.
 *
 * <p>Thread safety: immutable.
 *
 * @param caFile                   PEM CA certificates peers must chain to
 * @param certificate              PEM certificate chain of this side (required on a server)
 * @param privateKey               PEM PKCS#8 private key of this side (required with {@code certificate})
 * @param crlFile                  optional PEM/DER certificate revocation list checked against peers
 * @param requireClientCertificate server only: clients must present a certificate (mutual TLS)
 */
public record TlsOptions(Path caFile, Optional<Path> certificate, Optional<Path> privateKey, Optional<Path> crlFile,
                         boolean requireClientCertificate) {

    /** Validates that every named file exists and that a certificate comes with its key. */
    public TlsOptions {
        requireReadable("caFile", caFile);
        certificate.ifPresent(p -> requireReadable("certificate", p));
        privateKey.ifPresent(p -> requireReadable("privateKey", p));
        crlFile.ifPresent(p -> requireReadable("crlFile", p));
        if (certificate.isPresent() != privateKey.isPresent()) {
            throw new ConfigurationException("tls certificate=" + certificate.orElse(null) + " privateKey="
                    + privateKey.orElse(null) + " (expected: both or neither)");
        }
    }

    private static void requireReadable(String name, Path path) {
        if (path == null || !Files.isReadable(path)) {
            throw new ConfigurationException("tls " + name + "=" + path + " (expected: a readable file)");
        }
    }

    /** @return a client that verifies the server with {@code caFile} and presents no certificate. */
    public static TlsOptions client(Path caFile) {
        return new TlsOptions(caFile, Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    /** @return a client that verifies the server and presents its own certificate (mutual TLS). */
    public static TlsOptions client(Path caFile, Path certificate, Path privateKey) {
        return new TlsOptions(caFile, Optional.of(certificate), Optional.of(privateKey), Optional.empty(), false);
    }

    /** @return a server that presents {@code certificate} and does not ask clients for one. */
    public static TlsOptions server(Path caFile, Path certificate, Path privateKey) {
        return new TlsOptions(caFile, Optional.of(certificate), Optional.of(privateKey), Optional.empty(), false);
    }

    /** @return a copy that checks peers against {@code crl}. */
    public TlsOptions withCrl(Path crl) {
        return new TlsOptions(caFile, certificate, privateKey, Optional.of(crl), requireClientCertificate);
    }

    /** @return a copy that requires (server) client certificates. */
    public TlsOptions withClientCertificateRequired() {
        return new TlsOptions(caFile, certificate, privateKey, crlFile, true);
    }
}
