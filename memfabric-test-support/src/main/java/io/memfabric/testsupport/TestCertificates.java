package io.memfabric.testsupport;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made at test time with BouncyCastle and written as PEM files into a directory (a JUnit
 * {@code @TempDir}): a CA; a server certificate for {@code 127.0.0.1}, {@code ::1} and {@code localhost}; a client
 * certificate; a second client certificate that the CA's CRL revokes; the CRL; and an unrelated CA that trusts
 * nothing of the above. Keys are EC P-256, written as PKCS#8 ({@code PRIVATE KEY}). Valid from an hour ago for a day.
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.generate(tempDir);
 * TlsOptions server = TlsOptions.server(certs.caCert(), certs.serverCert(), certs.serverKey());
 * }</pre>
 *
 * <p>Thread safety: immutable once generated.
 *
 * @param caCert            the CA certificate (PEM)
 * @param serverCert        the server certificate, signed by the CA (PEM)
 * @param serverKey         the server's PKCS#8 private key (PEM)
 * @param clientCert        a client certificate, signed by the CA (PEM)
 * @param clientKey         its PKCS#8 private key (PEM)
 * @param revokedClientCert a client certificate, signed by the CA and revoked by {@code crl} (PEM)
 * @param revokedClientKey  its PKCS#8 private key (PEM)
 * @param crl               the CA's CRL revoking {@code revokedClientCert} (PEM)
 * @param otherCaCert       a CA that signed none of these (PEM): a client that trusts only it cannot verify the server
 */
public record TestCertificates(Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey,
                               Path revokedClientCert, Path revokedClientKey, Path crl, Path otherCaCert) {
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    /**
     * Generates every certificate into {@code dir}.
     *
     * @param dir an existing, writable directory
     * @return the files written
     */
    public static TestCertificates generate(Path dir) {
        try {
            Instant now = Instant.now();
            Date notBefore = Date.from(now.minus(Duration.ofHours(1)));
            Date notAfter = Date.from(now.plus(Duration.ofDays(1)));
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

            KeyPair caKeys = ecKeys();
            X500Name caName = new X500Name("CN=memfabric test CA,O=memfabric");
            X509CertificateHolder ca = caCertificate(caName, caKeys, notBefore, notAfter, ext);

            KeyPair serverKeys = ecKeys();
            X509v3CertificateBuilder server = leaf(caName, new X500Name("CN=127.0.0.1,O=memfabric"), serverKeys,
                    notBefore, notAfter, caKeys, ext, KeyPurposeId.id_kp_serverAuth);
            server.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1"),
                new GeneralName(GeneralName.dNSName, "localhost"),
            }));
            X509CertificateHolder serverCert = server.build(signer(caKeys.getPrivate()));

            KeyPair clientKeys = ecKeys();
            X509CertificateHolder clientCert = leaf(caName, new X500Name("CN=memfabric test client,O=memfabric"),
                    clientKeys, notBefore, notAfter, caKeys, ext, KeyPurposeId.id_kp_clientAuth)
                    .build(signer(caKeys.getPrivate()));

            KeyPair revokedKeys = ecKeys();
            X509CertificateHolder revokedCert = leaf(caName, new X500Name("CN=memfabric revoked client,O=memfabric"),
                    revokedKeys, notBefore, notAfter, caKeys, ext, KeyPurposeId.id_kp_clientAuth)
                    .build(signer(caKeys.getPrivate()));

            X509v2CRLBuilder crlBuilder = new X509v2CRLBuilder(caName, notBefore);
            crlBuilder.setNextUpdate(notAfter);
            crlBuilder.addCRLEntry(revokedCert.getSerialNumber(), notBefore, CRLReason.keyCompromise);
            crlBuilder.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(caKeys.getPublic()));
            crlBuilder.addExtension(Extension.cRLNumber, false,
                    new org.bouncycastle.asn1.x509.CRLNumber(BigInteger.ONE));
            X509CRLHolder crl = crlBuilder.build(signer(caKeys.getPrivate()));

            KeyPair otherKeys = ecKeys();
            X509CertificateHolder otherCa = caCertificate(new X500Name("CN=unrelated test CA,O=elsewhere"),
                    otherKeys, notBefore, notAfter, ext);

            TestCertificates files = new TestCertificates(dir.resolve("ca.pem"), dir.resolve("server.pem"),
                    dir.resolve("server.key"), dir.resolve("client.pem"), dir.resolve("client.key"),
                    dir.resolve("revoked-client.pem"), dir.resolve("revoked-client.key"), dir.resolve("ca.crl"),
                    dir.resolve("other-ca.pem"));
            writePem(files.caCert, ca);
            writePem(files.serverCert, serverCert);
            writeKey(files.serverKey, serverKeys.getPrivate());
            writePem(files.clientCert, clientCert);
            writeKey(files.clientKey, clientKeys.getPrivate());
            writePem(files.revokedClientCert, revokedCert);
            writeKey(files.revokedClientKey, revokedKeys.getPrivate());
            writePem(files.crl, crl);
            writePem(files.otherCaCert, otherCa);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate test certificates: " + e, e);
        }
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder(SIGNATURE).build(key);
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static X509CertificateHolder caCertificate(X500Name name, KeyPair keys, Date notBefore, Date notAfter,
                                                       JcaX509ExtensionUtils ext)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, nextSerial(), notBefore, notAfter,
                name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        return builder.build(signer(keys.getPrivate()));
    }

    private static X509v3CertificateBuilder leaf(X500Name issuer, X500Name subject, KeyPair keys, Date notBefore,
                                                 Date notAfter, KeyPair caKeys,
                                                 JcaX509ExtensionUtils ext, KeyPurposeId purpose)
            throws IOException, GeneralSecurityException {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, nextSerial(), notBefore, notAfter,
                subject, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                ext.createAuthorityKeyIdentifier(caKeys.getPublic()));
        return builder;
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        }
    }

    private static void writeKey(Path file, PrivateKey key) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(key, null));
        }
    }
}
