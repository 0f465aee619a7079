package io.parcel.transport.udt;

import io.parcel.spi.Options;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static io.parcel.transport.udt.ReferencePeer.freeUdpPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message mode (SOCK_DGRAM) against the reference library: {@code test-tools/udt-peer --dgram} (libudt 4.11's
 * {@code sendmsg} / {@code recvmsg}) exchanges messages of sizes from 4 bytes to 1 MB (one packet, one byte more
 * than a packet, many packets) with our {@link UdtMessageSocket}; every message is checked byte for byte on the
 * receiving side and the SHA-256 of all of them on both. Also: a stream socket and a message socket reject each
 * other's handshake. The peer is (re)built with {@code build.sh} when stale; on a machine without g++/libudt-dev
 * the test is skipped, except under CI ({@code CI=true}), where that is a failure.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MessageModeInteropIT {
    private static final Pattern SHA = Pattern.compile("\"sha256\":\"([0-9a-f]{64})\"");
    private static final Pattern MESSAGES = Pattern.compile("\"messages\":(\\d+)");
    private static final Pattern OK = Pattern.compile("\"ok\":(true|false)");
    private static final int[] SIZES = {4, 1456, 1457, 2912, 2913, 65_536, 1_000_000};
    private static final String SIZES_ARGUMENT = String.join(",", Arrays.stream(SIZES).mapToObj(String::valueOf)
            .toList());
    private static final int MESSAGES_PER_RUN = 140;
    private static final long SEED = 7;
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(120);
    private static ReferencePeer peer;

    @BeforeAll
    static void buildPeer() throws Exception {
        peer = ReferencePeer.locate();
    }

    /** Message {@code index} of a run, as udt_peer's fill_message makes it. */
    static byte[] message(long seed, int index, int size) {
        byte[] out = new byte[size];
        long state = seed * 0x9E3779B97F4A7C15L + (index & 0xFFFFFFFFL);
        for (int i = 4; i < size; i += 8) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            for (int b = 0; b < 8 && i + b < size; b++) {
                out[i + b] = (byte) (z >>> (8 * b));
            }
        }
        for (int b = 0; b < 4 && b < size; b++) {
            out[b] = (byte) (index >>> (24 - 8 * b));
        }
        return out;
    }

    private static int sizeOf(int index) {
        return SIZES[index % SIZES.length];
    }

    private static String field(Pattern pattern, String report) {
        Matcher matcher = pattern.matcher(report);
        assertTrue(matcher.find(), "no " + pattern + " in " + report);
        return matcher.group(1);
    }

    private static void assertPeerSucceeded(String report, String expectedSha) {
        assertEquals("true", field(OK, report), report);
        assertTrue(report.contains("exit: 0"), report);
        assertEquals(String.valueOf(MESSAGES_PER_RUN), field(MESSAGES, report), report);
        assertEquals(expectedSha, field(SHA, report), report);
    }

    @ParameterizedTest(name = "in order: {0}")
    @ValueSource(booleans = {true, false})
    void javaClientSendsMessagesToReferenceServer(boolean inOrder) throws Exception {
        int port = freeUdpPort();
        List<String> arguments = new ArrayList<>(List.of("server", "--listen", "127.0.0.1:" + port, "--once",
                "--accept-timeout", "30", "--timeout", "30", "--dgram", "--messages",
                String.valueOf(MESSAGES_PER_RUN), "--sizes", SIZES_ARGUMENT, "--seed", String.valueOf(SEED),
                "--quiet"));
        if (!inOrder) {
            arguments.add("--unordered");
        }
        try (var server = peer.start(arguments.toArray(String[]::new))) {
            Thread.sleep(300);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (UdtMessageSocket socket = UdtMessageSocket.connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    Options.empty().with("connect-timeout", "5s").with("timeout", "30s"))) {
                for (int i = 0; i < MESSAGES_PER_RUN; i++) {
                    byte[] m = message(SEED, i, sizeOf(i));
                    digest.update(m);
                    socket.send(ByteBuffer.wrap(m), inOrder);
                }
                // the receiver closes first: a 4.11 receiver loses a message when our shutdown overtakes its reads
                String report = server.report(PEER_TIMEOUT);
                if (inOrder) {
                    assertPeerSucceeded(report, HexFormat.of().formatHex(digest.digest()));
                } else {
                    assertEquals("true", field(OK, report), report);
                    assertEquals(String.valueOf(MESSAGES_PER_RUN), field(MESSAGES, report), report);
                }
            }
        }
    }

    @Test
    void referenceReceiverSkipsMessagesOurTtlDropped() throws Exception {
        int port = freeUdpPort();
        int count = 150;
        try (var server = peer.start("server", "--listen", "127.0.0.1:" + port, "--once", "--accept-timeout", "30",
                "--timeout", "30", "--dgram", "--gaps", "--sizes", SIZES_ARGUMENT, "--seed", String.valueOf(SEED),
                "--quiet");
                ImpairingRelay relay = new ImpairingRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        port), 5, 0.10, 0.0, 0.02)) {
            Thread.sleep(300);
            String statistics;
            long closing;
            try (UdtMessageSocket socket = UdtMessageSocket.connect(relay.address(),
                    Options.empty().with("connect-timeout", "5s").with("timeout", "30s"))) {
                for (int i = 0; i < count; i++) {
                    // the last one has no TTL: the reference receiver must get past every dropped one to reach it
                    socket.send(ByteBuffer.wrap(message(SEED, i, sizeOf(i))),
                            i == count - 1 ? null : Duration.ofMillis(20), true);
                }
                // every message acknowledged (delivered or dropped) within a bounded time: the receiver moved on
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                statistics = socket.statistics();
                while (!statistics.contains("messagesQueued=0 ") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    statistics = socket.statistics();
                }
                assertTrue(statistics.contains("messagesQueued=0 "), "all acknowledged: " + statistics);
                closing = System.nanoTime();
            }
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
            String report = server.report(PEER_TIMEOUT);
            System.out.println("ttl -> libudt: close took " + closeMillis + " ms; " + report + "; sender "
                    + statistics);
            assertEquals("true", field(OK, report), report);
            assertEquals(String.valueOf(count - 1), field(Pattern.compile("\"last_message\":(\\d+)"), report),
                    "the last message arrived: " + report);
            assertTrue(closeMillis < 5_000, "close had nothing left to wait for: " + closeMillis + " ms");
            assertTrue(!statistics.contains("dropRequestsSent=0 "), "messages were dropped: " + statistics);
        }
    }

    @Test
    void javaReceiverSkipsMessagesTheReferenceTtlDropped() throws Exception {
        int count = 150;
        try (UdtMessageServerSocket server = UdtMessageServerSocket.bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ImpairingRelay relay = new ImpairingRelay(server.localAddress(), 6, 0.10, 0.0, 0.02);
                var client = peer.start("client", "--to", "127.0.0.1:" + relay.address().getPort(), "--timeout",
                        "5", "--dgram", "--messages", String.valueOf(count), "--ttl", "20", "--sizes",
                        SIZES_ARGUMENT, "--seed", String.valueOf(SEED), "--quiet")) {
            int received = 0;
            int last = -1;
            String statistics;
            try (UdtMessageSocket accepted = server.accept(Duration.ofSeconds(30))) {
                ByteBuffer into = ByteBuffer.allocate(2 << 20);
                while (true) {
                    into.clear();
                    int n;
                    try {
                        n = accepted.receive(into, Duration.ofSeconds(5));
                    } catch (java.net.SocketTimeoutException e) {
                        break;
                    }
                    if (n < 0) {
                        break;
                    }
                    int index = ByteBuffer.wrap(into.array()).getInt(0);
                    assertTrue(index > last, index + " after " + last);
                    assertArrayEquals(message(SEED, index, sizeOf(index)), Arrays.copyOf(into.array(), n),
                            "message " + index);
                    last = index;
                    received++;
                }
                statistics = accepted.statistics();
            }
            String report = client.report(PEER_TIMEOUT);
            System.out.println("libudt ttl -> java: " + received + " messages, last " + last + "; java " + statistics
                    + "; peer " + report);
            // 4.11's sender does not finish such a run itself (README: its drop request covers one packet past the
            // message, it skips sequence numbers, and its native control slows to a crawl on the NAKs), so how far
            // it gets varies from run to run; judged is our side: every message whole and in order (above), drop
            // requests taken, and something delivered after them
            assertTrue(!statistics.contains("dropRequestsReceived=0"), "the reference dropped messages: " + statistics);
            assertTrue(received >= 1, received + " messages, the last " + last);
        }
    }

    @Test
    void referenceClientSendsMessagesToJavaServer() throws Exception {
        try (UdtMessageServerSocket server = UdtMessageServerSocket.bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            try (var client = peer.start("client", "--to", "127.0.0.1:" + server.localAddress().getPort(),
                    "--timeout", "30", "--dgram", "--messages", String.valueOf(MESSAGES_PER_RUN), "--sizes",
                    SIZES_ARGUMENT, "--seed", String.valueOf(SEED), "--quiet")) {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                ByteBuffer into = ByteBuffer.allocate(2 << 20);
                try (UdtMessageSocket accepted = server.accept(Duration.ofSeconds(30))) {
                    for (int i = 0; i < MESSAGES_PER_RUN; i++) {
                        into.clear();
                        int n = accepted.receive(into, Duration.ofSeconds(30));
                        byte[] received = Arrays.copyOf(into.array(), n);
                        assertArrayEquals(message(SEED, i, sizeOf(i)), received, "message " + i);
                        digest.update(received);
                    }
                }
                String report = client.report(PEER_TIMEOUT);
                assertPeerSucceeded(report, HexFormat.of().formatHex(digest.digest()));
            }
        }
    }

    @Test
    void javaServerSendsMessagesToReferenceClient() throws Exception {
        try (UdtMessageServerSocket server = UdtMessageServerSocket.bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            try (var client = peer.start("client", "--to", "127.0.0.1:" + server.localAddress().getPort(),
                    "--reverse", "--timeout", "30", "--dgram", "--messages", String.valueOf(MESSAGES_PER_RUN),
                    "--sizes", SIZES_ARGUMENT, "--seed", String.valueOf(SEED), "--quiet")) {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                try (UdtMessageSocket accepted = server.accept(Duration.ofSeconds(30))) {
                    for (int i = 0; i < MESSAGES_PER_RUN; i++) {
                        byte[] m = message(SEED, i, sizeOf(i));
                        digest.update(m);
                        try {
                            accepted.send(ByteBuffer.wrap(m), Duration.ofMinutes(1), true);
                        } catch (IOException e) {
                            throw new AssertionError("send of message " + i + " failed: " + e.getMessage() + "; "
                                    + accepted.statistics() + "; peer " + client.report(PEER_TIMEOUT), e);
                        }
                    }
                    String report = client.report(PEER_TIMEOUT);
                    assertPeerSucceeded(report, HexFormat.of().formatHex(digest.digest()));
                }
            }
        }
    }

    @Test
    void rendezvousJavaSendsMessagesToReference() throws Exception {
        int javaPort = freeUdpPort();
        int peerPort = freeUdpPort();
        try (var other = peer.start("client", "--rendezvous", "--bind", "127.0.0.1:" + peerPort, "--to",
                "127.0.0.1:" + javaPort, "--reverse", "--timeout", "30", "--dgram", "--messages",
                String.valueOf(MESSAGES_PER_RUN), "--sizes", SIZES_ARGUMENT, "--seed", String.valueOf(SEED),
                "--quiet");
             UdtMessageSocket socket = UdtMessageSocket.connect(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), peerPort), rendezvous(javaPort))) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < MESSAGES_PER_RUN; i++) {
                byte[] m = message(SEED, i, sizeOf(i));
                digest.update(m);
                socket.send(ByteBuffer.wrap(m), true);
            }
            // the receiver closes first: a 4.11 receiver loses a message when our shutdown overtakes its reads
            assertPeerSucceeded(other.report(PEER_TIMEOUT), HexFormat.of().formatHex(digest.digest()));
        }
    }

    @Test
    void rendezvousReferenceSendsMessagesToJava() throws Exception {
        int javaPort = freeUdpPort();
        int peerPort = freeUdpPort();
        try (var other = peer.start("client", "--rendezvous", "--bind", "127.0.0.1:" + peerPort, "--to",
                "127.0.0.1:" + javaPort, "--timeout", "30", "--dgram", "--messages",
                String.valueOf(MESSAGES_PER_RUN), "--sizes", SIZES_ARGUMENT, "--seed", String.valueOf(SEED),
                "--quiet")) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (UdtMessageSocket socket = UdtMessageSocket.connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), peerPort), rendezvous(javaPort))) {
                ByteBuffer into = ByteBuffer.allocate(1 << 21);
                for (int i = 0; i < MESSAGES_PER_RUN; i++) {
                    into.clear();
                    int n = socket.receive(into, Duration.ofSeconds(30));
                    byte[] received = Arrays.copyOf(into.array(), n);
                    assertArrayEquals(message(SEED, i, sizeOf(i)), received, "message " + i);
                    digest.update(received);
                }
            }
            // the sending peer waits for the receiver to close before it reports
            assertPeerSucceeded(other.report(PEER_TIMEOUT), HexFormat.of().formatHex(digest.digest()));
        }
    }

    /** Both sides bind and connect to each other; the Java side binds {@code port}. */
    private static Options rendezvous(int port) {
        return Options.empty().with("udt.rendezvous", "true").with("udt.bind", "127.0.0.1:" + port)
                .with("connect-timeout", "30s").with("timeout", "30s");
    }

    @Test
    void streamClientIsRejectedByReferenceMessageServer() throws Exception {
        int port = freeUdpPort();
        try (var server = peer.start("server", "--listen", "127.0.0.1:" + port, "--once", "--accept-timeout", "5",
                "--dgram", "--messages", "1", "--quiet")) {
            Thread.sleep(300);
            try (UdtSocket socket = new UdtSocket()) {
                long start = System.nanoTime();
                ConnectException e = assertThrows(ConnectException.class, () -> socket.connect(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000));
                assertTrue(e.getMessage().contains("socket type"), e.getMessage());
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "rejected, not timed out");
            }
            String report = server.report(PEER_TIMEOUT);
            assertNotEquals("exit: 0", report.substring(report.lastIndexOf("exit:")), "no connection: " + report);
        }
    }

    @Test
    void referenceStreamClientIsRejectedByJavaMessageServer() throws Exception {
        try (UdtMessageServerSocket server = UdtMessageServerSocket.bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            try (var client = peer.start("client", "--to", "127.0.0.1:" + server.localAddress().getPort(),
                    "--bytes", "1000", "--timeout", "5", "--quiet")) {
                String report = client.report(PEER_TIMEOUT);
                assertTrue(report.contains("\"ok\":false") && report.contains("1002"),
                        "the reference client reports ECONNREJ (1002): " + report);
                // the reference client may repeat its handshake before the rejection reaches it
                assertTrue(server.statistics().matches(".*rejected=[1-9].*"), server.statistics());
            }
            assertThrows(java.net.SocketTimeoutException.class, () -> server.accept(Duration.ofMillis(200)));
        }
    }
}
