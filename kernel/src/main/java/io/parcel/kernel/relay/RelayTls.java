package io.parcel.kernel.relay;

import io.parcel.spi.UsageException;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * TLS on the link between a relay client and {@code parcel serve}: the server's context from PEM files, the client's
 * from a CA file or a certificate pin. The JDK only; keys must be unencrypted PKCS#8 ("BEGIN PRIVATE KEY").
 */
final class RelayTls {
    private static final String PROTOCOL = "TLS";
    private static final char[] IN_MEMORY_PASSWORD = "relay".toCharArray();
    private static final byte[] KEY_CHECK_MESSAGE = "parcel relay key check".getBytes(StandardCharsets.US_ASCII);
    private static final int SHA256_HEX_LENGTH = 64;

    private RelayTls() {
    }

    /**
     * A server context presenting the certificate chain in {@code certificateFile} with the key in {@code keyFile}.
     *
     * @throws UsageException naming the file and the problem: unreadable, no PEM block, encrypted or PKCS#1 key,
     *                        key not matching the certificate
     */
    static SSLContext serverContext(Path certificateFile, Path keyFile) throws UsageException {
        requireNonNull(certificateFile, "certificateFile is null");
        requireNonNull(keyFile, "keyFile is null");
        List<X509Certificate> chain = certificates(certificateFile, "--tls-cert");
        PrivateKey key = privateKey(keyFile);
        checkKeyMatches(key, chain.get(0).getPublicKey(), certificateFile, keyFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("relay", key, IN_MEMORY_PASSWORD, chain.toArray(Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, IN_MEMORY_PASSWORD);
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new UsageException("cannot use " + certificateFile + " and " + keyFile + " for TLS: " + e, e);
        }
    }

    /** A client context trusting only the certificates in {@code caFile}. */
    static SSLContext clientContext(Path caFile) throws UsageException {
        requireNonNull(caFile, "caFile is null");
        List<X509Certificate> authorities = certificates(caFile, RelayOptions.VIA_CA_FILE.name());
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                store.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new UsageException(RelayOptions.VIA_CA_FILE + ": cannot use " + caFile + ": " + e, e);
        }
    }

    /** A client context that accepts exactly the server certificate whose SHA-256 is {@code pin}. */
    static SSLContext pinnedContext(byte[] pin) {
        requireNonNull(pin, "pin is null");
        try {
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(null, new TrustManager[] {new PinningTrustManager(pin.clone())}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS", e);
        }
    }

    /** Parses a SHA-256 pin: 64 hex digits, colons and spaces ignored, an optional "sha256:" prefix. */
    static byte[] parsePin(String text) throws UsageException {
        requireNonNull(text, "text is null");
        String hex = text.strip().toLowerCase(Locale.ROOT);
        if (hex.startsWith("sha256:") || hex.startsWith("sha-256:")) {
            hex = hex.substring(hex.indexOf(':') + 1);
        }
        hex = hex.replace(":", "").replace(" ", "");
        if (hex.length() != SHA256_HEX_LENGTH || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new UsageException(RelayOptions.VIA_PIN + ": expected the certificate's SHA-256 as 64 hex digits"
                    + " (colons allowed), got '" + text + "'");
        }
        return HexFormat.of().parseHex(hex);
    }

    /** SHA-256 of a certificate's DER encoding, as {@code openssl x509 -fingerprint -sha256} shows it (no colons). */
    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(sha256(certificate.getEncoded()));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    static List<X509Certificate> certificates(Path file, String option) throws UsageException {
        List<byte[]> blocks = pemBlocks(file, "CERTIFICATE", option);
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new UsageException(option + ": " + file + " holds a certificate that does not parse: "
                    + e.getMessage(), e);
        }
        return List.copyOf(certificates);
    }

    static PrivateKey privateKey(Path file) throws UsageException {
        String text = read(file, "--tls-key");
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new UsageException("--tls-key: " + file + " is encrypted; give an unencrypted PKCS#8 key"
                    + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new UsageException("--tls-key: " + file + " is a PKCS#1/SEC1 key; convert it to PKCS#8"
                    + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        List<byte[]> blocks = pemBlocks(text, "PRIVATE KEY");
        if (blocks.size() != 1) {
            throw new UsageException("--tls-key: " + file + " must hold exactly one '-----BEGIN PRIVATE KEY-----'"
                    + " block, found " + blocks.size());
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(blocks.get(0));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // Not this algorithm: PKCS#8 names it inside, and the next factory may read it.
            }
        }
        throw new UsageException("--tls-key: " + file + " is not an RSA, EC or Ed25519 PKCS#8 private key");
    }

    private static void checkKeyMatches(PrivateKey key, PublicKey publicKey, Path certificateFile, Path keyFile)
            throws UsageException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> "Ed25519";
        };
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(KEY_CHECK_MESSAGE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(KEY_CHECK_MESSAGE);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new UsageException("--tls-key " + keyFile + " does not belong to the first certificate in --tls-cert "
                    + certificateFile);
        }
    }

    private static List<byte[]> pemBlocks(Path file, String type, String option) throws UsageException {
        List<byte[]> blocks = pemBlocks(read(file, option), type);
        if (blocks.isEmpty()) {
            throw new UsageException(option + ": " + file + " holds no '-----BEGIN " + type + "-----' block");
        }
        return blocks;
    }

    private static List<byte[]> pemBlocks(String text, String type) throws UsageException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        List<byte[]> blocks = new ArrayList<>();
        int from = 0;
        while (true) {
            int start = text.indexOf(begin, from);
            if (start < 0) {
                return blocks;
            }
            int stop = text.indexOf(end, start);
            if (stop < 0) {
                throw new UsageException("a PEM block '" + begin + "' has no end line");
            }
            try {
                blocks.add(Base64.getMimeDecoder().decode(text.substring(start + begin.length(), stop)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("a PEM block '" + begin + "' is not valid base64", e);
            }
            from = stop + end.length();
        }
    }

    private static String read(Path file, String option) throws UsageException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UsageException(option + ": cannot read " + file + ": " + e, e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * Trusts one certificate, named by its hash, and nothing else: no CA, no name check (the pin is stronger), no
     * expiry check (pinning a self-signed certificate is the point).
     */
    private static final class PinningTrustManager extends X509ExtendedTrustManager {
        private final byte[] pin;

        PinningTrustManager(byte[] pin) {
            this.pin = pin;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the relay presented no certificate");
            }
            byte[] actual = sha256(chain[0].getEncoded());
            if (!MessageDigest.isEqual(actual, pin)) {
                throw new CertificateException("the relay's certificate SHA-256 " + HexFormat.of().formatHex(actual)
                        + " does not match --via-pin " + HexFormat.of().formatHex(pin));
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a relay client does not accept client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
