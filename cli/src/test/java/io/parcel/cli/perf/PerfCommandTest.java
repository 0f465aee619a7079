package io.parcel.cli.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code parcel perf} end to end in-process over the tcp transport on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerfCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private PerfRunner perf;

    @BeforeEach
    void startRunner() {
        perf = new PerfRunner(directory);
    }

    @AfterEach
    void stopRunner() {
        perf.close();
    }

    @Test
    void clientSendsGeneratedBytesAndBothSidesReportTheirHash() throws Exception {
        long size = 8L * 1024 * 1024 + 13;
        PerfRunner.Running server = perf.start("server", "--listen", "127.0.0.1:0", "--once", "--json",
                "--accept-timeout", "20s");
        String address = server.listeningAddress(WAIT);

        PerfRunner.Outcome client = perf.run("client", "--to", address, "--bytes", Long.toString(size),
                "--seed", "42", "--json");
        PerfRunner.Outcome received = server.await(WAIT);

        assertEquals(0, client.exitCode(), client.err());
        assertEquals(0, received.exitCode(), received.err());
        String expected = sha256(pattern(42, size));
        assertEquals(size, client.bytes());
        assertEquals(size, received.bytes());
        assertEquals(expected, client.sha256());
        assertEquals(expected, received.sha256());
        assertEquals("send", client.field("direction"));
        assertEquals("receive", received.field("direction"));
        assertEquals("tcp", received.field("transport"));
        assertEquals("true", received.field("ok"));
    }

    @Test
    void reverseMakesTheServerSendAndSaveWritesExactlyWhatArrived() throws Exception {
        long size = 3L * 1024 * 1024 + 7;
        Path saved = directory.resolve("saved.bin");
        PerfRunner.Running server = perf.start("server", "--listen", "127.0.0.1:0", "--once", "--json", "--reverse",
                "--bytes", Long.toString(size), "--seed", "9", "--accept-timeout", "20s");
        String address = server.listeningAddress(WAIT);

        PerfRunner.Outcome client = perf.run("client", "--to", address, "--reverse", "--save", "saved.bin",
                "--expect-bytes", Long.toString(size), "--json");
        PerfRunner.Outcome sent = server.await(WAIT);

        assertEquals(0, client.exitCode(), client.err());
        assertEquals(0, sent.exitCode(), sent.err());
        assertArrayEquals(pattern(9, size), Files.readAllBytes(saved));
        assertEquals(sent.sha256(), client.sha256());
        assertEquals("send", sent.field("direction"));
    }

    @Test
    void sendsAFileThatTheServerSaves() throws Exception {
        byte[] content = new byte[2 * 1024 * 1024 + 1];
        new Random(5).nextBytes(content);
        Files.write(directory.resolve("input.bin"), content);
        PerfRunner.Running server = perf.start("server", "--listen", "127.0.0.1:0", "--once", "--save", "output.bin",
                "--accept-timeout", "20s");
        String address = server.listeningAddress(WAIT);

        PerfRunner.Outcome client = perf.run("client", "--to", address, "--file", "input.bin", "--chunk", "1000");
        PerfRunner.Outcome received = server.await(WAIT);

        assertEquals(0, client.exitCode(), client.err());
        assertEquals(0, received.exitCode(), received.err());
        assertArrayEquals(content, Files.readAllBytes(directory.resolve("output.bin")));
        assertTrue(received.out().contains("sha256     " + sha256(content)), received.out());
        assertTrue(client.out().contains("goodput"), client.out());
    }

    @Test
    void timeModeSendsUntilTheTimeIsUp() throws Exception {
        PerfRunner.Running server = perf.start("server", "--listen", "127.0.0.1:0", "--once", "--json",
                "--accept-timeout", "20s");
        String address = server.listeningAddress(WAIT);

        PerfRunner.Outcome client = perf.run("client", "--to", address, "--time", "300ms", "--json");
        PerfRunner.Outcome received = server.await(WAIT);

        assertEquals(0, client.exitCode(), client.err());
        assertTrue(client.bytes() > 0, client.out());
        assertEquals(client.bytes(), received.bytes());
        assertEquals(client.sha256(), received.sha256());
        assertTrue(Double.parseDouble(client.field("seconds")) >= 0.3, client.out());
    }

    @Test
    void endingTheStreamByClosingDeliversEverythingToo() throws Exception {
        long size = 4L * 1024 * 1024 + 9;
        PerfRunner.Running server = perf.start("server", "--listen", "127.0.0.1:0", "--once", "--json",
                "--expect-bytes", Long.toString(size), "--accept-timeout", "20s");
        String address = server.listeningAddress(WAIT);

        PerfRunner.Outcome client = perf.run("client", "--to", address, "--bytes", Long.toString(size),
                "--end", "close", "--json");
        PerfRunner.Outcome received = server.await(WAIT);

        assertEquals(0, client.exitCode(), client.err());
        assertEquals(0, received.exitCode(), received.err());
        assertEquals(sha256(pattern(PerfOptions.DEFAULT_SEED, size)), received.sha256());
        assertEquals(client.sha256(), received.sha256());
    }

    @Test
    void theSenderClosesForUdtWhoseWireHasNoHalfCloseAndHalfClosesOtherwise() {
        PerfOptions options = new PerfOptions();
        options.end = "auto";
        assertEquals(PerfTransfer.EndOfStream.CLOSE, options.endOfStream(null, "udt"));
        assertEquals(PerfTransfer.EndOfStream.HALF_CLOSE, options.endOfStream(null, "tcp"));
        options.end = "Half-Close";
        assertEquals(PerfTransfer.EndOfStream.HALF_CLOSE, options.endOfStream(null, "udt"));
    }

    @Test
    void serverHashesWhatAPlainSocketSends() throws Exception {
        byte[] content = new byte[1024 * 1024 + 3];
        new Random(11).nextBytes(content);
        PerfRunner.Running server = perf.start("server", "--listen", "127.0.0.1:0", "--once", "--json",
                "--accept-timeout", "20s");
        InetSocketAddress address = PerfConverters.address(server.listeningAddress(WAIT), "test");

        try (Socket socket = new Socket()) {
            socket.connect(address, 10_000);
            socket.getOutputStream().write(content);
        }
        PerfRunner.Outcome received = server.await(WAIT);

        assertEquals(0, received.exitCode(), received.err());
        assertEquals(content.length, received.bytes());
        assertEquals(sha256(content), received.sha256());
    }

    @Test
    void clientSendsExactlyThePatternToAPlainServer() throws Exception {
        long size = 5L * 1024 * 1024 + 1;
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(20_000);
            CompletableFuture<byte[]> arrived = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = listener.accept()) {
                    socket.setSoTimeout(20_000);
                    return socket.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });

            PerfRunner.Outcome client = perf.run("client", "--to", "127.0.0.1:" + listener.getLocalPort(),
                    "--bytes", Long.toString(size), "--json");

            assertEquals(0, client.exitCode(), client.err());
            byte[] bytes = arrived.get(20, TimeUnit.SECONDS);
            assertArrayEquals(pattern(PerfOptions.DEFAULT_SEED, size), bytes);
            assertEquals(sha256(bytes), client.sha256());
        }
    }

    @Test
    void fewerBytesThanExpectedFailsTheReceiverWithExitCode1() throws Exception {
        PerfRunner.Running server = perf.start("server", "--listen", "127.0.0.1:0", "--once", "--json",
                "--expect-bytes", "1M", "--accept-timeout", "20s");
        String address = server.listeningAddress(WAIT);

        PerfRunner.Outcome client = perf.run("client", "--to", address, "--bytes", "1000");
        PerfRunner.Outcome received = server.await(WAIT);

        assertEquals(0, client.exitCode(), client.err());
        assertEquals(1, received.exitCode());
        assertEquals("false", received.field("ok"));
        assertTrue(received.err().contains("expected 1048576 bytes, received 1000"), received.err());
    }

    @Test
    void aStalledSenderFailsTheReceiverAfterTheTimeout() throws Exception {
        PerfRunner.Running server = perf.start("server", "--listen", "127.0.0.1:0", "--once", "--json",
                "--timeout", "300ms", "--accept-timeout", "20s");
        InetSocketAddress address = PerfConverters.address(server.listeningAddress(WAIT), "test");

        try (Socket socket = new Socket()) {
            socket.connect(address, 10_000);
            OutputStream out = socket.getOutputStream();
            out.write(new byte[1000]);
            out.flush();
            PerfRunner.Outcome received = server.await(WAIT);

            assertEquals(1, received.exitCode());
            assertEquals(1000, received.bytes());
            assertTrue(received.err().contains("receiving failed after 1000 bytes"), received.err());
        }
    }

    @Test
    void aSenderWhosePeerNeverClosesFailsAfterTheTimeout() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(20_000);
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    Socket socket = listener.accept();
                    InputStream in = socket.getInputStream();
                    in.readNBytes(4096);
                    return socket;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });

            PerfRunner.Outcome client = perf.run("client", "--to", "127.0.0.1:" + listener.getLocalPort(),
                    "--bytes", "4096", "--timeout", "300ms", "--json");

            try (Socket ignored = accepted.get(20, TimeUnit.SECONDS)) {
                assertEquals(1, client.exitCode(), client.out());
                assertTrue(client.err().contains("did not close the connection"), client.err());
            }
        }
    }

    @Test
    void bindIsEitherHonouredByTheTransportOrReportedAsIgnored() throws Exception {
        int localPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            localPort = probe.getLocalPort();
        }
        PerfRunner.Running server = perf.start("server", "--listen", "127.0.0.1:0", "--once", "--json",
                "--accept-timeout", "20s");
        String address = server.listeningAddress(WAIT);

        PerfRunner.Outcome client = perf.run("client", "--to", address, "--bytes", "1000",
                "--bind", "127.0.0.1:" + localPort, "--json");
        PerfRunner.Outcome received = server.await(WAIT);

        if (client.exitCode() == 0) {
            assertEquals("127.0.0.1:" + localPort, received.field("peer"));
        } else {
            assertEquals(1, client.exitCode(), client.err());
            assertTrue(client.err().contains("ignored --bind 127.0.0.1:" + localPort + " (option tcp.bind)"),
                    client.err());
        }
    }

    @Test
    void aRefusedConnectionExitsWith1() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }

        PerfRunner.Outcome client = perf.run("client", "--to", "127.0.0.1:" + port, "--bytes", "1",
                "--connect-timeout", "5s");

        assertEquals(1, client.exitCode(), client.err());
        assertTrue(client.err().startsWith("parcel: "), client.err());
    }

    @Test
    void aUdtClientWithNobodyListeningNamesTheLikelyCauseAtItsConnectTimeout() throws Exception {
        int port;
        try (DatagramSocket closed = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }

        PerfRunner.Outcome client = perf.run("client", "--transport", "udt", "--to", "127.0.0.1:" + port, "--bytes",
                "1", "--connect-timeout", "300ms");

        assertEquals(1, client.exitCode(), client.err());
        assertEquals(1, client.err().lines().count(), client.err());
        assertTrue(client.err().startsWith("parcel: "), client.err());
        assertTrue(client.err().contains("no connection to 127.0.0.1:" + port + " over udt"), client.err());
        assertTrue(client.err().contains("is 'parcel perf server --transport udt' listening there?"), client.err());
    }

    @Test
    void aServerWithoutClientGivesUpAfterTheAcceptTimeout() {
        PerfRunner.Outcome server = perf.run("server", "--listen", "127.0.0.1:0", "--once", "--accept-timeout",
                "200ms");

        assertEquals(1, server.exitCode(), server.err());
        assertTrue(server.err().contains("no connection within"), server.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "client --to 127.0.0.1:9",
        "client --to 127.0.0.1:9 --bytes 1 --time 1",
        "client --to 127.0.0.1:9 --reverse --bytes 1",
        "client --to 127.0.0.1:9 --bytes 1 --save x",
        "client --to 127.0.0.1:9 --file does-not-exist",
        "client --to 127.0.0.1:9 --bytes 1 --rendezvous",
        "client --to 127.0.0.1:9 --bytes 1 --chunk 2M",
        "client --to 127.0.0.1:9 --bytes lots",
        "client --to 127.0.0.1:9 --bytes 1 --end sideways",
        "client --to no-port-here --bytes 1",
        "client --to 127.0.0.1:9 --bytes 1 --transport no-such-transport",
        "client --bytes 1",
        "server --listen 127.0.0.1:0 --bytes 1",
        "server --listen 127.0.0.1:0 --reverse",
        "server --listen [::1 --once",
        "",
    })
    void usageErrorsExitWith2(String arguments) {
        PerfRunner.Outcome outcome = perf.run(arguments.isEmpty() ? new String[0] : arguments.split(" "));

        assertEquals(2, outcome.exitCode(), outcome.out() + outcome.err());
        assertTrue(outcome.err().contains("parcel: ") || outcome.err().contains("Usage"), outcome.err());
    }

    static byte[] pattern(long seed, long size) {
        byte[] bytes = new byte[Math.toIntExact(size)];
        byte[] data = new PatternData(seed).array();
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = data[i % PatternData.PATTERN_LENGTH];
        }
        return bytes;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
