package io.parcel.kernel.relay;

import io.parcel.testsupport.RecordingLogger;
import io.parcel.testsupport.TestPki;
import io.parcel.spi.HostLookup;
import io.parcel.spi.Options;
import io.parcel.spi.TransferException;
import io.parcel.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code parcel serve} end to end on loopback, over the real tcp transport, with the real HTTP source as client. */
class RelayServerIT {
    private static final byte[] CONTENT = Fixtures.randomBytes(3 * 1024 * 1024 + 17, 42);

    @TempDir
    Path directory;

    private final RecordingLogger logger = new RecordingLogger();
    private Transport serverTransport;
    private TestHttpServer http;

    @BeforeEach
    void start() throws IOException {
        serverTransport = Fixtures.tcp();
        http = TestHttpServer.http(CONTENT);
    }

    @AfterEach
    void stop() {
        http.close();
        serverTransport.close();
    }

    @Test
    void relaysAnHttpDownloadByteForByte() throws Exception {
        AllowList allow = AllowList.fromUrls(java.util.List.of("http://127.0.0.1:" + http.port()));
        try (RelayServer relay = RelayServer.start(serverTransport, config(allow), logger);
             Transport client = RelayTransport.wrap(Fixtures.tcp(), via(relay))) {
            byte[] downloaded = Fixtures.download(client, "http://127.0.0.1:" + http.port() + "/file", Options.empty());
            assertEquals(Fixtures.sha256(CONTENT), Fixtures.sha256(downloaded));
            RelayStatistics totals = relay.statistics();
            assertTrue(totals.bytesDown() >= CONTENT.length, totals.statusLine());
            // the describe's connection carries the ranges after it (keep-alive through the relay)
            assertTrue(totals.accepted() >= 1, "at least one relayed connection: " + totals.statusLine());
        }
        assertTrue(logger.await(line -> line.contains("closed (both sides finished)") && line.contains("bytes down"),
                5000), logger.joined());
    }

    @Test
    void carriesHttpsEndToEndAndSeesOnlyCiphertext() throws Exception {
        TestPki authority = TestPki.authority("Upstream Test CA");
        Path caFile = authority.writeAuthority(directory.resolve("upstream-ca.pem"));
        String marker = "PLAINTEXT-MARKER-" + System.nanoTime();
        byte[] content = withMarker(marker);
        Path tokenFile = Files.writeString(directory.resolve("api-token"), "secret-api-token-" + System.nanoTime());
        TestPki.Issued relayCertificate = TestPki.authority("Relay Test CA").issue("relay.test");
        Path relayCert = relayCertificate.writeChain(directory.resolve("relay-cert.pem"));
        Path relayKey = relayCertificate.writeKey(directory.resolve("relay-key.pem"));
        try (TestHttpServer https = TestHttpServer.https(content, authority.issue("localhost").serverContext());
             RecordingProxy wire = new RecordingProxy(https.port())) {
            AllowList allow = AllowList.of(new HostPort("localhost", wire.port()));
            Options sourceOptions = Options.of(Map.of("ca-file", caFile.toString(), "token-file", tokenFile.toString()));
            String url = "https://localhost:" + wire.port() + "/file";
            // Once over a plain relay link, once with TLS to the relay as well (TLS inside TLS).
            try (RelayServer relay = RelayServer.start(serverTransport, config(allow), logger);
                 Transport client = RelayTransport.wrap(Fixtures.tcp(), via(relay))) {
                assertEquals(Fixtures.sha256(content), Fixtures.sha256(Fixtures.download(client, url, sourceOptions)));
            }
            try (RelayServer relay = RelayServer.start(serverTransport, config(allow).withTls(relayCert, relayKey), logger);
                 Transport client = RelayTransport.wrap(Fixtures.tcp(), via(relay).with(RelayOptions.VIA_PIN,
                         RelayTls.fingerprint(relayCertificate.certificate())))) {
                assertEquals(Fixtures.sha256(content), Fixtures.sha256(Fixtures.download(client, url, sourceOptions)));
            }

            byte[] seen = wire.seen();
            assertTrue(seen.length > 2L * content.length, "the relay carried both downloads: " + seen.length);
            String relayed = new String(seen, StandardCharsets.ISO_8859_1);
            assertFalse(relayed.contains(marker), "the relay saw the content in plain text");
            assertFalse(relayed.contains(Files.readString(tokenFile)), "the relay saw the API token");
            assertFalse(relayed.contains("GET /file"), "the relay saw the HTTP request");
        }
    }

    @Test
    void refusesATargetOutsideTheAllowListAndSaysWhy() throws Exception {
        AllowList allow = AllowList.of(new HostPort("127.0.0.1", http.port()));
        try (RelayServer relay = RelayServer.start(serverTransport, config(allow), logger);
             Transport client = RelayTransport.wrap(Fixtures.tcp(), via(relay))) {
            HostPort forbidden = new HostPort("localhost", http.port());
            TransferException direct = refusalAtFirstRead(client, forbidden.unresolved());
            assertEquals("relay 127.0.0.1:" + relay.localAddress().getPort() + " refused localhost:" + http.port()
                    + ": localhost:" + http.port() + " is not in the allow list", direct.getMessage());
            assertFalse(direct.retryable(), "a policy refusal is final");

            TransferException viaSource = assertThrows(TransferException.class, () -> Fixtures.download(client,
                    "http://localhost:" + http.port() + "/file", Options.empty()));
            assertTrue(viaSource.getMessage().contains("is not in the allow list"), viaSource.getMessage());
            assertFalse(viaSource.retryable(), "the HTTP source must keep the relay's refusal final");

            // Over HTTPS the refusal arrives in the middle of the TLS handshake, which must not hide it.
            TransferException viaTls = assertThrows(TransferException.class, () -> Fixtures.download(client,
                    "https://localhost:" + http.port() + "/file", Options.empty()));
            assertEquals(direct.getMessage(), viaTls.getMessage());
            assertFalse(viaTls.retryable(), "the HTTP source must keep the relay's refusal final under TLS");
        }
        assertTrue(logger.await(line -> line.startsWith("WARNING") && line.contains("refused: localhost:" + http.port()
                + " is not in the allow list"), 5000), logger.joined());
    }

    @Test
    void refusesClientsWithoutTheRightTokenAndNeverLogsIt() throws Exception {
        String token = "relay-admission-" + System.nanoTime();
        Path serverToken = Files.writeString(directory.resolve("server-token"), token + "\n");
        Path wrongToken = Files.writeString(directory.resolve("wrong-token"), token + "x");
        AllowList allow = AllowList.of(new HostPort("127.0.0.1", http.port()));
        InetSocketAddress target = new HostPort("127.0.0.1", http.port()).unresolved();
        try (RelayServer relay = RelayServer.start(serverTransport, config(allow).withTokenFile(serverToken), logger)) {
            try (Transport anonymous = RelayTransport.wrap(Fixtures.tcp(), via(relay))) {
                TransferException e = refusalAtFirstRead(anonymous, target);
                assertTrue(e.getMessage().endsWith(": an admission token is required"), e.getMessage());
                assertFalse(e.retryable());
            }
            try (Transport wrong = RelayTransport.wrap(Fixtures.tcp(),
                    via(relay).with(RelayOptions.VIA_TOKEN_FILE, wrongToken.toString()))) {
                TransferException e = refusalAtFirstRead(wrong, target);
                assertTrue(e.getMessage().endsWith(": wrong admission token"), e.getMessage());
            }
            try (Transport admitted = RelayTransport.wrap(Fixtures.tcp(),
                    via(relay).with(RelayOptions.VIA_TOKEN_FILE, serverToken.toString()))) {
                byte[] downloaded = Fixtures.download(admitted, "http://127.0.0.1:" + http.port() + "/file",
                        Options.empty());
                assertArrayEquals(CONTENT, downloaded);
            }
        }
        assertTrue(logger.await(line -> line.contains("wrong admission token"), 5000), logger.joined());
        assertFalse(logger.joined().contains(token), "the token appeared in the log");
    }

    @Test
    void verifiesTheRelayByCaFileOrPinAndRefusesAWrongPin() throws Exception {
        TestPki authority = TestPki.authority("Relay Test CA");
        TestPki.Issued relayCertificate = authority.issue("relay.test");
        Path cert = relayCertificate.writeChain(directory.resolve("relay-cert.pem"));
        Path key = relayCertificate.writeKey(directory.resolve("relay-key.pem"));
        Path caFile = authority.writeAuthority(directory.resolve("relay-ca.pem"));
        AllowList allow = AllowList.of(new HostPort("127.0.0.1", http.port()));
        String url = "http://127.0.0.1:" + http.port() + "/file";
        try (RelayServer relay = RelayServer.start(serverTransport, config(allow).withTls(cert, key), logger)) {
            try (Transport verified = RelayTransport.wrap(Fixtures.tcp(),
                    via(relay).with(RelayOptions.VIA_CA_FILE, caFile.toString()))) {
                assertArrayEquals(CONTENT, Fixtures.download(verified, url, Options.empty()));
            }
            String pin = RelayTls.fingerprint(relayCertificate.certificate());
            try (Transport pinned = RelayTransport.wrap(Fixtures.tcp(), via(relay).with(RelayOptions.VIA_PIN, pin))) {
                assertArrayEquals(CONTENT, Fixtures.download(pinned, url, Options.empty()));
            }
            String wrongPin = pin.substring(0, 63) + (pin.charAt(63) == '0' ? '1' : '0');
            try (Transport wrong = RelayTransport.wrap(Fixtures.tcp(), via(relay).with(RelayOptions.VIA_PIN, wrongPin))) {
                TransferException e = assertThrows(TransferException.class,
                        () -> wrong.connect(new HostPort("127.0.0.1", http.port()).unresolved(), Fixtures.TIMEOUT));
                assertTrue(e.getMessage().contains("does not match --via-pin"), e.getMessage());
                assertFalse(e.retryable(), "a wrong certificate does not get right by retrying");
            }
            try (Transport plain = RelayTransport.wrap(Fixtures.tcp(), via(relay));
                 Socket socket = plain.connect(new HostPort("127.0.0.1", http.port()).unresolved(), Fixtures.TIMEOUT)) {
                // The request line went out in plain text; the TLS relay's answer to it is not the relay protocol.
                IOException e = assertThrows(IOException.class, () -> socket.getInputStream().read());
                assertTrue(e.getMessage().contains("--via-ca-file or --via-pin"), e.getMessage());
            }
        }
    }

    @Test
    void theClientPassesTheUpstreamNameUnresolvedForTheRelayToResolve() throws Exception {
        // The client never resolves upstream names itself: here only the relay's side could (and it cannot either),
        // so the relay's answer, not a local "cannot resolve", proves the name travelled as written in the URL.
        HostPort hidden = new HostPort("upstream.invalid", http.port());
        try (RelayServer relay = RelayServer.start(serverTransport, config(AllowList.of(hidden)), logger);
             Transport client = RelayTransport.wrap(Fixtures.tcp(), via(relay))) {
            TransferException e = assertThrows(TransferException.class, () -> Fixtures.download(client,
                    "http://upstream.invalid:" + http.port() + "/file", Options.empty()));
            assertTrue(e.getMessage().contains("cannot reach upstream.invalid:" + http.port()), e.getMessage());
            assertTrue(e.retryable(), "an upstream the relay cannot reach now may be reachable later");
        }
    }

    @Test
    void anUpstreamWhoseNameServerHangsIsUnreachableWithinTheConnectTimeout() throws Exception {
        // The relay's lookup of an allowed upstream name never answers: the client must hear "cannot reach" once the
        // relay's connect timeout is over (lookup included), not after the system resolver's own retries.
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        HostLookup hangingLookup = new HostLookup(host -> {
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new java.net.UnknownHostException(host);
        }, 4);
        HostPort slow = new HostPort("slow-dns.example", http.port());
        RelayServerConfig config = RelayServerConfig.of(Fixtures.anyLoopbackPort(), AllowList.of(slow))
                .withPump(PumpSettings.defaults().withConnectTimeout(Duration.ofMillis(500)));
        try (RelayServer relay = RelayServer.start(serverTransport, config, logger, hangingLookup);
             Transport client = RelayTransport.wrap(Fixtures.tcp(), via(relay))) {
            long start = System.nanoTime();
            TransferException e = refusalAtFirstRead(client, slow.unresolved());
            long millis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 5000, "the relay answered only after " + millis + " ms");
            assertTrue(e.getMessage().contains("cannot reach slow-dns.example:" + http.port())
                    && e.getMessage().contains("resolving slow-dns.example took longer than 500 ms"), e.getMessage());
            assertTrue(e.retryable(), "a name server that is slow now may answer later");
            assertTrue(TunnelServerIT.waitUntil(() -> relay.statistics().active() == 0, 5000),
                    "the relay still holds the connection: " + relay.statistics().statusLine());
        } finally {
            release.countDown();
        }
    }

    @Test
    void reportsAnUnreachableUpstreamAsRetryable() throws Exception {
        int closedPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        try (RelayServer relay = RelayServer.start(serverTransport,
                config(AllowList.of(new HostPort("127.0.0.1", closedPort))), logger);
             Transport client = RelayTransport.wrap(Fixtures.tcp(), via(relay))) {
            TransferException e = refusalAtFirstRead(client, new HostPort("127.0.0.1", closedPort).unresolved());
            assertTrue(e.getMessage().contains("cannot reach 127.0.0.1:" + closedPort), e.getMessage());
            assertTrue(e.retryable());
        }
    }

    @Test
    void aRestartedRelayServesTheNextAttemptAndTheOutageIsRetryable() throws Exception {
        AllowList allow = AllowList.of(new HostPort("127.0.0.1", http.port()));
        String url = "http://127.0.0.1:" + http.port() + "/file";
        RelayServer first = RelayServer.start(serverTransport, config(allow), logger);
        int port = first.localAddress().getPort();
        Options options = via(first);
        try (Transport client = RelayTransport.wrap(Fixtures.tcp(), options)) {
            assertArrayEquals(CONTENT, Fixtures.download(client, url, Options.empty()));
            first.close();
            IOException outage = assertThrows(IOException.class,
                    () -> client.connect(new HostPort("127.0.0.1", http.port()).unresolved(), Fixtures.TIMEOUT));
            assertFalse(outage instanceof TransferException failure && !failure.retryable(),
                    "a relay that is down must not fail the download for good: " + outage);
            assertTrue(outage.getMessage().contains("relay 127.0.0.1:" + port), outage.getMessage());
            try (RelayServer second = RelayServer.start(serverTransport,
                    RelayServerConfig.of(Fixtures.loopback(port), allow), logger)) {
                assertArrayEquals(CONTENT, Fixtures.download(client, url, Options.empty()));
            }
        } finally {
            first.close();
        }
    }

    @Test
    void propagatesHalfCloseThroughTheRelay() throws Exception {
        try (EchoServer counting = EchoServer.counting();
             RelayServer relay = RelayServer.start(serverTransport, config(AllowList.of(counting.address())), logger);
             Transport client = RelayTransport.wrap(Fixtures.tcp(), via(relay));
             Socket socket = client.connect(counting.address().unresolved(), Fixtures.TIMEOUT)) {
            byte[] payload = Fixtures.randomBytes(200_000, 7);
            socket.getOutputStream().write(payload);
            socket.shutdownOutput();
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertEquals("got " + payload.length + "\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII),
                    "the upstream saw our end of stream and could still answer");
        }
    }

    @Test
    void closeEndsEveryConnectionAndThread() throws Exception {
        try (EchoServer echo = EchoServer.echo()) {
            RelayServer relay = RelayServer.start(serverTransport, config(AllowList.of(echo.address())), logger);
            Transport viaRelay = RelayTransport.wrap(Fixtures.tcp(), via(relay));
            Socket[] sockets = new Socket[10];
            for (int i = 0; i < sockets.length; i++) {
                sockets[i] = viaRelay.connect(echo.address().unresolved(), Fixtures.TIMEOUT);
                sockets[i].getOutputStream().write(1);
                assertEquals(1, sockets[i].getInputStream().read());
            }
            assertEquals(10, relay.statistics().active());
            relay.close();
            assertEquals(0, relay.liveThreads(), "threads left after close()");
            assertEquals(0, relay.statistics().active());
            for (Socket socket : sockets) {
                socket.setSoTimeout(10_000);
                assertThrowsOrEnds(socket);
                socket.close();
            }
            viaRelay.close();
        }
    }

    /**
     * The refusal a relay connection gives: {@code connect} returns once the request line is sent (the caller's first
     * bytes may follow it at once), and the first read throws the relay's answer, as does every read after it.
     */
    private static TransferException refusalAtFirstRead(Transport client, InetSocketAddress target) throws IOException {
        try (Socket socket = client.connect(target, Fixtures.TIMEOUT)) {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            TransferException first = assertThrows(TransferException.class, () -> socket.getInputStream().read());
            TransferException again = assertThrows(TransferException.class,
                    () -> socket.getInputStream().read(new byte[16], 0, 16));
            assertEquals(first.getMessage(), again.getMessage());
            return first;
        }
    }

    /** The peer closed: end of stream or a reset, but not a read timeout (the socket's own limit, not the peer's). */
    static void assertThrowsOrEnds(Socket socket) {
        try {
            assertEquals(-1, socket.getInputStream().read(), "expected end of stream");
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open until the read timed out", e);
        } catch (IOException e) {
            // A reset is as good as an end of stream: the peer is gone.
        }
    }

    private RelayServerConfig config(AllowList allow) {
        return RelayServerConfig.of(Fixtures.anyLoopbackPort(), allow)
                .withPump(PumpSettings.defaults().withConnectTimeout(Duration.ofSeconds(5)));
    }

    private static Options via(RelayServer relay) {
        return Options.empty().with(RelayOptions.VIA, "127.0.0.1:" + relay.localAddress().getPort());
    }

    private static byte[] withMarker(String marker) {
        byte[] content = Arrays.copyOf(CONTENT, CONTENT.length);
        byte[] bytes = marker.getBytes(StandardCharsets.US_ASCII);
        for (int offset = 1000; offset + bytes.length < content.length; offset += 100_000) {
            System.arraycopy(bytes, 0, content, offset, bytes.length);
        }
        return content;
    }
}
