package io.parcel.cli.relay;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.TestData;
import io.parcel.testsupport.nginx.AccessLogEntry;
import io.parcel.testsupport.nginx.NginxServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nginx as the real upstream of {@code bin/parcel-server} over UDT on loopback, every side a real process: plain HTTP
 * and HTTPS with a test CA (the client verifies nginx's own host name, the relay passes ciphertext only), and the
 * refusals a user meets: an upstream outside the allow list, a missing admission token, a wrong TLS pin for the relay.
 */
class ServeNginxIT {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
    private static final long SIZE = (6L << 20) + 4321;
    private static final long SEED = 4_004;
    private static final String FILE = "data.bin";

    @TempDir
    Path served;
    @TempDir
    Path work;

    private final List<AutoCloseable> owned = new ArrayList<>();
    private DistProcess serve;

    @BeforeEach
    void writeData() throws IOException {
        TestData.writeFile(served.resolve(FILE), SEED, SIZE);
    }

    @AfterEach
    void stopAll() throws Exception {
        if (serve != null) {
            serve.kill();
        }
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
    }

    @Test
    void downloadsFromNginxOverHttpThroughServe() throws Exception {
        NginxServer nginx = own(NginxServer.builder(served).start());
        int relay = startServe("--upstream", nginx.baseUrl());

        Path out = work.resolve("out");
        DistProcess.Result download = DistProcess.run(work, RUN_TIMEOUT, "download", "--transport", "udt",
                "--via", "127.0.0.1:" + relay, "-n", "4", "--segment-size", "1M", "-q", "-d", out.toString(),
                nginx.url("/" + FILE));

        assertEquals(0, download.exitCode(), download.describe());
        assertEquals(TestData.sha256Hex(SEED, SIZE), TestData.sha256Hex(out.resolve(FILE)), download.describe());
        List<AccessLogEntry> requests = nginx.accessLog();
        assertTrue(requests.stream().filter(entry -> entry.path().equals("/" + FILE)).count() >= 2,
                "parallel ranges through the relay: " + requests);
    }

    @Test
    void httpsStaysEndToEndTheClientVerifiesNginxAndTheRelaySeesOnlyCiphertext() throws Exception {
        NginxServer nginx = own(NginxServer.builder(served).tls().start());
        // Between serve and nginx: a recorder of every byte serve exchanges with its upstream.
        RecordingForwarder wire = own(new RecordingForwarder(nginx.port()));
        // https://localhost:<recorder>: the certificate names localhost, so the name check is the real one.
        String url = "https://localhost:" + wire.port() + "/" + FILE;
        int relay = startServe("--upstream", "https://localhost:" + wire.port());

        Path out = work.resolve("out");
        DistProcess.Result download = DistProcess.run(work, RUN_TIMEOUT, "download", "--transport", "udt",
                "--via", "127.0.0.1:" + relay, "--ca-file", nginx.caCertificate().toString(), "-n", "4",
                "--segment-size", "1M", "-q", "-d", out.toString(), url);

        assertEquals(0, download.exitCode(), download.describe());
        assertEquals(TestData.sha256Hex(SEED, SIZE), TestData.sha256Hex(out.resolve(FILE)), download.describe());
        byte[] down = wire.downstream();
        byte[] up = wire.upstream();
        assertTrue(down.length >= SIZE, "the file went through the recorder: " + down.length + " bytes");
        assertEquals(-1, indexOf(down, TestData.bytes(SEED, 1L << 20, 64)),
                "64 bytes of the file appear in clear between serve and nginx");
        assertEquals(-1, indexOf(up, ("GET /" + FILE).getBytes(StandardCharsets.US_ASCII)),
                "the HTTP request appears in clear between serve and nginx");

        // The client, not the relay, checks nginx's certificate: without the test CA the same download fails.
        Path untrusted = work.resolve("untrusted");
        DistProcess.Result refused = DistProcess.run(work, RUN_TIMEOUT, "download", "--transport", "udt",
                "--via", "127.0.0.1:" + relay, "--retries", "1", "-q", "-d", untrusted.toString(), url);
        assertEquals(1, refused.exitCode(), refused.describe());
        assertOneErrorLine(refused, "certif");
        assertFalse(Files.exists(untrusted.resolve(FILE)));
    }

    @Test
    void theRecorderSeesPlainHttpInClearSoTheCiphertextCheckCanFail() throws Exception {
        NginxServer nginx = own(NginxServer.builder(served).start());
        RecordingForwarder wire = own(new RecordingForwarder(nginx.port()));
        int relay = startServe("--upstream", "http://127.0.0.1:" + wire.port());

        Path out = work.resolve("out");
        DistProcess.Result download = DistProcess.run(work, RUN_TIMEOUT, "download", "--transport", "udt",
                "--via", "127.0.0.1:" + relay, "-n", "2", "--segment-size", "4M", "-q", "-d", out.toString(),
                "http://127.0.0.1:" + wire.port() + "/" + FILE);

        assertEquals(0, download.exitCode(), download.describe());
        assertTrue(indexOf(wire.downstream(), TestData.bytes(SEED, 1L << 20, 64)) >= 0);
        assertTrue(indexOf(wire.upstream(), ("GET /" + FILE).getBytes(StandardCharsets.US_ASCII)) >= 0);
    }

    @Test
    void anNginxOutsideTheAllowListIsRefusedAndNeverContacted() throws Exception {
        NginxServer allowed = own(NginxServer.builder(served).start());
        NginxServer other = own(NginxServer.builder(served).start());
        int relay = startServe("--upstream", allowed.baseUrl());

        Path out = work.resolve("out");
        DistProcess.Result download = DistProcess.run(work, RUN_TIMEOUT, "download", "--transport", "udt",
                "--via", "127.0.0.1:" + relay, "-q", "-d", out.toString(), other.url("/" + FILE));

        assertEquals(1, download.exitCode(), download.describe());
        assertOneErrorLine(download, "127.0.0.1:" + other.port() + " is not in the allow list");
        assertEquals(List.of(), other.accessLog(), "the relay connected to an upstream outside its allow list");
        assertFalse(Files.exists(out.resolve(FILE)));
        assertTrue(waitFor(() -> serve.errors().contains("is not in the allow list")), "serve logs the refusal: "
                + serve.errors());
    }

    @Test
    void aClientWithoutTheTokenIsRefusedAndTheRightTokenPasses() throws Exception {
        NginxServer nginx = own(NginxServer.builder(served).start());
        Path token = Files.writeString(work.resolve("relay.token"), "relay-admission-secret\n");
        int relay = startServe("--upstream", nginx.baseUrl(), "--token-file", token.toString());

        Path out = work.resolve("out");
        DistProcess.Result refused = DistProcess.run(work, RUN_TIMEOUT, "download", "--transport", "udt",
                "--via", "127.0.0.1:" + relay, "-q", "-d", out.toString(), nginx.url("/" + FILE));
        assertEquals(1, refused.exitCode(), refused.describe());
        assertOneErrorLine(refused, "an admission token is required");
        assertEquals(List.of(), nginx.accessLog(), "a client without the token reached nginx");
        assertFalse(serve.errors().contains("relay-admission-secret"), "the token must never be logged");

        DistProcess.Result admitted = DistProcess.run(work, RUN_TIMEOUT, "download", "--transport", "udt",
                "--via", "127.0.0.1:" + relay, "--via-token-file", token.toString(), "-q", "-d", out.toString(),
                nginx.url("/" + FILE));
        assertEquals(0, admitted.exitCode(), admitted.describe());
        assertEquals(TestData.sha256Hex(SEED, SIZE), TestData.sha256Hex(out.resolve(FILE)));
    }

    @Test
    void aWrongPinForTheRelayIsRefusedAndTheRightPinPasses() throws Exception {
        NginxServer nginx = own(NginxServer.builder(served).start());
        Path certificate = work.resolve("relay.pem");
        Path key = work.resolve("relay.key");
        selfSignedCertificate(certificate, key);
        int relay = startServe("--upstream", nginx.baseUrl(), "--tls-cert", certificate.toString(),
                "--tls-key", key.toString());
        String rightPin = sha256OfCertificate(certificate);
        String wrongPin = rightPin.substring(0, 63) + (rightPin.charAt(63) == '0' ? '1' : '0');

        Path out = work.resolve("out");
        DistProcess.Result refused = DistProcess.run(work, RUN_TIMEOUT, "download", "--transport", "udt",
                "--via", "127.0.0.1:" + relay, "--via-pin", wrongPin, "--retries", "5", "-q", "-d", out.toString(),
                nginx.url("/" + FILE));
        assertEquals(1, refused.exitCode(), refused.describe());
        assertOneErrorLine(refused, "pin");
        assertEquals(List.of(), nginx.accessLog(), "a client that rejected the relay still reached nginx");

        DistProcess.Result pinned = DistProcess.run(work, RUN_TIMEOUT, "download", "--transport", "udt",
                "--via", "127.0.0.1:" + relay, "--via-pin", rightPin, "-q", "-d", out.toString(),
                nginx.url("/" + FILE));
        assertEquals(0, pinned.exitCode(), pinned.describe());
        assertEquals(TestData.sha256Hex(SEED, SIZE), TestData.sha256Hex(out.resolve(FILE)));
    }

    /** Starts {@code bin/parcel-server} over UDT on a free loopback port; its port. */
    private int startServe(String... options) throws InterruptedException {
        List<String> arguments = new ArrayList<>(List.of("--transport", "udt", "--listen", "127.0.0.1:0",
                "--status-interval", "0"));
        arguments.addAll(List.of(options));
        serve = DistProcess.start(work, "parcel-server", arguments.toArray(String[]::new));
        return serve.awaitListeningPort();
    }

    /** The refusal is one line {@code parcel: ...} naming the reason, with no stack trace. */
    private static void assertOneErrorLine(DistProcess.Result result, String reason) {
        List<String> lines = result.errorLines();
        assertEquals(1, lines.size(), "one error line expected:\n" + result.describe());
        assertTrue(lines.get(0).contains(reason), "the error line should say '" + reason + "':\n" + result.describe());
        assertFalse(result.stderr().contains("\tat "), "stack trace:\n" + result.describe());
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** An EC key (unencrypted PKCS#8 PEM, as {@code --tls-key} takes it) and a self-signed certificate for 127.0.0.1. */
    private static void selfSignedCertificate(Path certificate, Path key) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=parcel-test-relay",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", certificate.toString())
                .redirectErrorStream(true).redirectOutput(certificate.resolveSibling("openssl.log").toFile()).start();
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS), "openssl did not finish within 30 s");
        assertEquals(0, openssl.exitValue(), Files.readString(certificate.resolveSibling("openssl.log")));
    }

    private static String sha256OfCertificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            byte[] der = CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        }
    }

    /**
     * A TCP forwarder on 127.0.0.1 to nginx that keeps every byte it passes each way: what the relay sent upstream
     * and what it got back. Owns its listener and connections; {@link #close()} ends them.
     */
    static final class RecordingForwarder implements AutoCloseable {
        private final ServerSocket listener;
        private final int targetPort;
        private final ByteArrayOutputStream upstream = new ByteArrayOutputStream();
        private final ByteArrayOutputStream downstream = new ByteArrayOutputStream();
        private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        RecordingForwarder(int targetPort) throws IOException {
            this.targetPort = targetPort;
            this.listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().name("recording-forwarder").start(this::acceptLoop);
        }

        int port() {
            return listener.getLocalPort();
        }

        byte[] upstream() {
            synchronized (upstream) {
                return upstream.toByteArray();
            }
        }

        byte[] downstream() {
            synchronized (downstream) {
                return downstream.toByteArray();
            }
        }

        private void acceptLoop() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket target = new Socket();
                    sockets.add(client);
                    sockets.add(target);
                    target.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                    Thread.ofVirtual().start(() -> copy(client, target, upstream));
                    Thread.ofVirtual().start(() -> copy(target, client, downstream));
                } catch (IOException e) {
                    // Closed, or one connection failed: the download's own checks report it.
                }
            }
        }

        private static void copy(Socket from, Socket to, ByteArrayOutputStream record) {
            byte[] buffer = new byte[64 * 1024];
            try {
                // Bounded: an idle connection ends after 60 s rather than holding a thread past the test.
                from.setSoTimeout(60_000);
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    synchronized (record) {
                        record.write(buffer, 0, n);
                    }
                    out.write(buffer, 0, n);
                }
                to.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            sockets.forEach(RecordingForwarder::closeQuietly);
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // Best effort at the end of a test.
            }
        }
    }
}
