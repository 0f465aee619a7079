package io.parcel.source.http.testing;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throw-away certificate authority made at test time with java.security alone: a small DER writer builds the
 * certificates (the JDK has no public API for that), the JDK signs and parses them.
 */
public final class TestCertificates {
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

    private final KeyPair caKeys;
    private final X509Certificate caCertificate;

    private TestCertificates(KeyPair caKeys, X509Certificate caCertificate) {
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
    }

    public static TestCertificates newAuthority(String name) throws GeneralSecurityException {
        KeyPair keys = keyPair();
        byte[] extensions = sequence(sequence(oid(BASIC_CONSTRAINTS), bool(true), octets(sequence(bool(true)))));
        return new TestCertificates(keys, sign(name, name, keys.getPublic().getEncoded(), keys.getPrivate(), extensions));
    }

    public X509Certificate authority() {
        return caCertificate;
    }

    /** Writes the authority certificate as PEM, as a user's --ca-file would hold it. */
    public Path writePem(Path file) throws IOException, GeneralSecurityException {
        return Files.writeString(file, pem("CERTIFICATE", caCertificate.getEncoded()));
    }

    /** A server key and certificate, signed by this authority. */
    public record Issued(PrivateKey key, X509Certificate certificate) {
        /** The key as unencrypted PKCS#8 PEM, as nginx reads it. */
        public String keyPem() {
            return pem("PRIVATE KEY", key.getEncoded());
        }

        public String certificatePem() throws GeneralSecurityException {
            return pem("CERTIFICATE", certificate.getEncoded());
        }
    }

    /** A certificate for a server that names {@code dnsName} and 127.0.0.1. */
    public Issued issue(String dnsName) throws GeneralSecurityException, IOException {
        KeyPair keys = keyPair();
        byte[] altNames = sequence(
                tlv(0x82, dnsName.getBytes(StandardCharsets.US_ASCII)),
                tlv(0x87, InetAddress.getByName("127.0.0.1").getAddress()));
        byte[] extensions = sequence(sequence(oid(SUBJECT_ALT_NAME), octets(altNames)));
        X509Certificate leaf = sign(name(caCertificate), dnsName, keys.getPublic().getEncoded(), caKeys.getPrivate(),
                extensions);
        return new Issued(keys.getPrivate(), leaf);
    }

    /** A server context whose certificate, signed by this authority, names {@code dnsName} and 127.0.0.1. */
    public SSLContext serverContext(String dnsName) throws GeneralSecurityException, IOException {
        Issued issued = issue(dnsName);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] password = "test".toCharArray();
        store.setKeyEntry("server", issued.key(), password, new Certificate[] {issued.certificate(), caCertificate});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String name(X509Certificate certificate) {
        String principal = certificate.getSubjectX500Principal().getName();
        return principal.startsWith("CN=") ? principal.substring(3) : principal;
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(String issuer, String subject, byte[] publicKeyInfo, PrivateKey issuerKey,
                                        byte[] extensions) throws GeneralSecurityException {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        byte[] tbs = sequence(
                tlv(0xA0, integer(BigInteger.TWO)),
                integer(BigInteger.valueOf(SERIALS.incrementAndGet())),
                sequence(oid(ECDSA_WITH_SHA256)),
                x500Name(issuer),
                sequence(utcTime(now.minusHours(1)), utcTime(now.plusDays(2))),
                x500Name(subject),
                publicKeyInfo,
                tlv(0xA3, extensions));
        Signature signature = Signature.getInstance(SIGNATURE_ALGORITHM);
        signature.initSign(issuerKey);
        signature.update(tbs);
        byte[] certificate = sequence(tbs, sequence(oid(ECDSA_WITH_SHA256)), bitString(signature.sign()));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificate));
    }

    private static byte[] x500Name(String commonName) {
        return sequence(tlv(0x31, sequence(oid(COMMON_NAME), tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] utcTime(ZonedDateTime time) {
        return tlv(0x17, time.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    private static byte[] bool(boolean value) {
        return tlv(0x01, new byte[] {(byte) (value ? 0xFF : 0)});
    }

    private static byte[] octets(byte[] content) {
        return tlv(0x04, content);
    }

    private static byte[] bitString(byte[] content) {
        byte[] withPadding = new byte[content.length + 1];
        System.arraycopy(content, 0, withPadding, 1, content.length);
        return tlv(0x03, withPadding);
    }

    private static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            long value = Long.parseLong(parts[i]);
            int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 6) / 7);
            for (int group = groups - 1; group >= 0; group--) {
                int bits = (int) ((value >>> (7 * group)) & 0x7f);
                out.write(group == 0 ? bits : bits | 0x80);
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, parts);
    }

    private static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.size();
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }
}
