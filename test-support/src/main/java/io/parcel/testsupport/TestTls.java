package io.parcel.testsupport;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, made once per JVM with the
 * JDK's {@code keytool} (about a second), for TLS tests: a server context, a client context that trusts only this
 * certificate, and the certificate as a PEM file (what {@code --ca-file} takes). The files live in a temporary
 * directory removed when the JVM exits. Thread-safe.
 */
public final class TestTls {
    private static final String ALIAS = "parcel-test";
    private static final String PASSWORD = "parcel-test-password";
    private static TestTls instance;

    private final Path keyStoreFile;
    private final Path certificatePem;
    private final KeyStore keyStore;
    private final KeyStore trustStore;

    private TestTls(Path keyStoreFile, Path certificatePem) throws IOException, GeneralSecurityException {
        this.keyStoreFile = keyStoreFile;
        this.certificatePem = certificatePem;
        this.keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStoreFile)) {
            keyStore.load(in, PASSWORD.toCharArray());
        }
        Certificate certificate = keyStore.getCertificate(ALIAS);
        this.trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry(ALIAS, certificate);
    }

    /** The JVM's test certificate, made on first use. */
    public static synchronized TestTls get() throws IOException {
        if (instance == null) {
            instance = create();
        }
        return instance;
    }

    /** A server-side context holding the private key. */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a server TLS context from " + keyStoreFile, e);
        }
    }

    /** A client-side context that trusts this certificate and nothing else. */
    public SSLContext clientContext() {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a client TLS context", e);
        }
    }

    /** The certificate in PEM, to be trusted as a CA (e.g. {@code --ca-file}). */
    public Path certificatePem() {
        return certificatePem;
    }

    /** The PKCS#12 key store with the key and certificate (alias {@value #ALIAS}). */
    public Path keyStoreFile() {
        return keyStoreFile;
    }

    /** The key store's and the key's password. */
    public String password() {
        return PASSWORD;
    }

    private static TestTls create() throws IOException {
        Path directory = Files.createTempDirectory("parcel-test-tls");
        Path keyStoreFile = directory.resolve("server.p12");
        Path pem = directory.resolve("ca.pem");
        for (Path path : List.of(directory, keyStoreFile, pem)) {
            path.toFile().deleteOnExit(); // registered parent first: deleted last
        }
        keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1,ip:0:0:0:0:0:0:0:1",
                "-validity", "7", "-keystore", keyStoreFile.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        try {
            TestTls tls = new TestTls(keyStoreFile, pem);
            // Written here rather than by a second keytool run: each run is a JVM start, slow on a busy machine.
            String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(tls.keyStore.getCertificate(ALIAS).getEncoded());
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n",
                    StandardCharsets.US_ASCII);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IOException("keytool made a key store that does not load: " + keyStoreFile, e);
        }
    }

    private static void keytool(String... arguments) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IOException("no keytool at " + keytool + "; TLS tests need a full JDK");
        }
        List<String> command = new ArrayList<>();
        command.add(keytool.toString());
        // keytool is a short-lived JVM: skip the optimizing compiler and use the smallest collector.
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream output = process.getInputStream()) {
            boolean finished = process.waitFor(60, TimeUnit.SECONDS);
            String text = finished ? new String(output.readAllBytes(), StandardCharsets.UTF_8) : "";
            if (!finished) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish within 60 s: " + command);
            }
            if (process.exitValue() != 0) {
                throw new IOException("keytool failed (exit " + process.exitValue() + "): " + text.strip());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
