package io.parcel.testsupport;

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
 * A throw-away certificate authority and server certificates, made at test time from java.security alone, so no key
 * material is checked in. The JDK can sign and parse X.509 but not build it, so a minimal DER encoder assembles the
 * to-be-signed part (version 3, validity of two days around now, SAN and CA flag). Server certificates name their
 * DNS name and 127.0.0.1. Used by the HTTPS tests of the source, the relay's TLS tests and nginx fixtures.
 */
public final class TestPki {
    private static final String OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";
    private static final String OID_RSA_SHA256 = "1.2.840.113549.1.1.11";
    private static final String OID_COMMON_NAME = "2.5.4.3";
    private static final String OID_BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String OID_SUBJECT_ALT_NAME = "2.5.29.17";
    private static final int TAG_DNS_NAME = 0x82;
    private static final int TAG_IP_ADDRESS = 0x87;
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A key with its certificate. */
    public record Issued(PrivateKey key, X509Certificate certificate, X509Certificate issuer) {
        /** The key as unencrypted PKCS#8 PEM, as nginx and {@code parcel serve --tls-key} read it. */
        public String keyPem() {
            return pem("PRIVATE KEY", key.getEncoded());
        }

        /** Leaf then issuer, as a server presents it. */
        public String chainPem() throws GeneralSecurityException {
            return pem("CERTIFICATE", certificate.getEncoded())
                    + (issuer == certificate ? "" : pem("CERTIFICATE", issuer.getEncoded()));
        }

        public Path writeKey(Path file) throws IOException {
            return Files.writeString(file, keyPem());
        }

        public Path writeChain(Path file) throws IOException, GeneralSecurityException {
            return Files.writeString(file, chainPem());
        }

        /** A TLS server context presenting this certificate and its issuer. */
        public SSLContext serverContext() throws GeneralSecurityException, IOException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "test".toCharArray();
            store.setKeyEntry("server", key, password, new Certificate[] {certificate, issuer});
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            return context;
        }
    }

    private final KeyPair authorityKeys;
    private final X509Certificate authority;

    private TestPki(KeyPair authorityKeys, X509Certificate authority) {
        this.authorityKeys = authorityKeys;
        this.authority = authority;
    }

    public static TestPki authority(String name) throws GeneralSecurityException {
        KeyPair keys = ecKeys();
        byte[] caFlag = sequence(sequence(oid(OID_BASIC_CONSTRAINTS), tlv(0x01, new byte[] {(byte) 0xff}),
                tlv(0x04, sequence(tlv(0x01, new byte[] {(byte) 0xff})))));
        return new TestPki(keys, sign(name, name, keys, keys.getPrivate(), OID_ECDSA_SHA256, "SHA256withECDSA", caFlag));
    }

    public X509Certificate certificate() {
        return authority;
    }

    /** The authority's certificate as PEM, as a user's {@code --ca-file} holds it. */
    public Path writeAuthority(Path file) throws IOException, GeneralSecurityException {
        return Files.writeString(file, pem("CERTIFICATE", authority.getEncoded()));
    }

    /** An EC server certificate naming {@code dnsName} and 127.0.0.1, signed by this authority. */
    public Issued issue(String dnsName) throws GeneralSecurityException, IOException {
        KeyPair keys = ecKeys();
        byte[] names = sequence(tlv(TAG_DNS_NAME, dnsName.getBytes(StandardCharsets.US_ASCII)),
                tlv(TAG_IP_ADDRESS, InetAddress.getByName("127.0.0.1").getAddress()));
        byte[] extensions = sequence(sequence(oid(OID_SUBJECT_ALT_NAME), tlv(0x04, names)));
        X509Certificate leaf = sign(commonName(authority), dnsName, keys, authorityKeys.getPrivate(), OID_ECDSA_SHA256,
                "SHA256withECDSA", extensions);
        return new Issued(keys.getPrivate(), leaf, authority);
    }

    /** A self-signed RSA certificate (the key type most operators have). */
    public static Issued selfSignedRsa(String dnsName) throws GeneralSecurityException, IOException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        byte[] names = sequence(tlv(TAG_DNS_NAME, dnsName.getBytes(StandardCharsets.US_ASCII)),
                tlv(TAG_IP_ADDRESS, InetAddress.getByName("127.0.0.1").getAddress()));
        byte[] extensions = sequence(sequence(oid(OID_SUBJECT_ALT_NAME), tlv(0x04, names)));
        X509Certificate certificate = sign(dnsName, dnsName, keys, keys.getPrivate(), OID_RSA_SHA256, "SHA256withRSA",
                extensions);
        return new Issued(keys.getPrivate(), certificate, certificate);
    }

    /** A server context whose new certificate, signed by this authority, names {@code dnsName} and 127.0.0.1. */
    public SSLContext serverContext(String dnsName) throws GeneralSecurityException, IOException {
        return issue(dnsName).serverContext();
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String commonName(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName().replaceFirst("^CN=", "");
    }

    private static X509Certificate sign(String issuer, String subject, KeyPair subjectKeys, PrivateKey signer,
                                        String algorithmOid, String algorithm, byte[] extensions)
            throws GeneralSecurityException {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        byte[] algorithmId = algorithmOid.equals(OID_RSA_SHA256)
                ? sequence(oid(algorithmOid), new byte[] {0x05, 0x00}) : sequence(oid(algorithmOid));
        byte[] toBeSigned = sequence(
                tlv(0xa0, tlv(0x02, BigInteger.TWO.toByteArray())),
                tlv(0x02, BigInteger.valueOf(SERIAL.incrementAndGet()).toByteArray()),
                algorithmId,
                name(issuer),
                sequence(time(now.minusDays(1)), time(now.plusDays(1))),
                name(subject),
                subjectKeys.getPublic().getEncoded(),
                tlv(0xa3, extensions));
        Signature signature = Signature.getInstance(algorithm);
        signature.initSign(signer);
        signature.update(toBeSigned);
        byte[] bits = signature.sign();
        byte[] padded = new byte[bits.length + 1];
        System.arraycopy(bits, 0, padded, 1, bits.length);
        byte[] der = sequence(toBeSigned, algorithmId, tlv(0x03, padded));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    private static byte[] name(String commonName) {
        return sequence(tlv(0x31, sequence(oid(OID_COMMON_NAME), tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] time(ZonedDateTime time) {
        return tlv(0x17, time.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            int septets = 1;
            while ((arc >>> (7 * septets)) != 0) {
                septets++;
            }
            for (int s = septets - 1; s >= 0; s--) {
                int septet = (int) (arc >>> (7 * s)) & 0x7f;
                out.write(s > 0 ? septet | 0x80 : septet);
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
            int octets = length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | octets);
            for (int i = octets - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }
}
