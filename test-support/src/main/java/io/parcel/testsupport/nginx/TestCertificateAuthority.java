package io.parcel.testsupport.nginx;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes a throw-away CA and a server certificate for localhost / 127.0.0.1 with the openssl command line, so no key
 * material is checked in and nothing outlives the test.
 */
final class TestCertificateAuthority {
    private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(30);
    private static final String CURVE = "ec_paramgen_curve:prime256v1";

    /** The files one TLS nginx needs, and what a client needs to trust it. */
    record Material(Path caCertificate, Path serverCertificate, Path serverKey, Path trustStore) {
        Material {
            requireNonNull(caCertificate, "caCertificate is null");
            requireNonNull(serverCertificate, "serverCertificate is null");
            requireNonNull(serverKey, "serverKey is null");
            requireNonNull(trustStore, "trustStore is null");
        }
    }

    private TestCertificateAuthority() {
    }

    static Material create(Path dir) {
        requireNonNull(dir, "dir is null");
        Path openssl = locateOpenssl();
        Path caKey = dir.resolve("ca.key");
        Path caCert = dir.resolve("ca.pem");
        Path serverKey = dir.resolve("server.key");
        Path serverCsr = dir.resolve("server.csr");
        Path serverCert = dir.resolve("server.pem");
        Path extensions = dir.resolve("server.ext");
        Path trustStore = dir.resolve("truststore.p12");
        try {
            Files.createDirectories(dir);
            Files.writeString(extensions, """
                    basicConstraints = critical, CA:FALSE
                    keyUsage = critical, digitalSignature
                    extendedKeyUsage = serverAuth
                    subjectAltName = DNS:localhost, IP:127.0.0.1
                    """, StandardCharsets.US_ASCII);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write into " + dir, e);
        }
        run(dir, openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", CURVE, "-nodes", "-sha256", "-days", "2",
                "-subj", "/CN=Parcel Test CA", "-keyout", caKey.toString(), "-out", caCert.toString(),
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        run(dir, openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", CURVE, "-nodes", "-sha256",
                "-subj", "/CN=localhost", "-keyout", serverKey.toString(), "-out", serverCsr.toString());
        run(dir, openssl, "x509", "-req", "-sha256", "-days", "2", "-in", serverCsr.toString(),
                "-CA", caCert.toString(), "-CAkey", caKey.toString(), "-set_serial", "2",
                "-extfile", extensions.toString(), "-out", serverCert.toString());
        writeTrustStore(caCert, trustStore);
        return new Material(caCert, serverCert, serverKey, trustStore);
    }

    private static Path locateOpenssl() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
            Path candidate = Path.of(dir, "openssl");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw NginxBinary.missing("openssl", "openssl");
    }

    private static void writeTrustStore(Path caCert, Path trustStore) {
        try (InputStream in = Files.newInputStream(caCert); OutputStream out = Files.newOutputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("parcel-test-ca",
                    CertificateFactory.getInstance("X.509").generateCertificate(in));
            store.store(out, NginxServer.TRUST_STORE_PASSWORD.toCharArray());
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write " + trustStore, e);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a trust store from " + caCert, e);
        }
    }

    private static void run(Path dir, Path openssl, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(openssl.toString());
        command.addAll(List.of(arguments));
        Path output = dir.resolve("openssl.out");
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        try {
            if (!process.waitFor(OPENSSL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("openssl did not finish within " + OPENSSL_TIMEOUT + ": " + command);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("openssl failed with " + process.exitValue() + ": " + command
                        + "\n" + Files.readString(output, StandardCharsets.UTF_8).strip());
            }
        }
        catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running openssl", e);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + output, e);
        }
    }
}
