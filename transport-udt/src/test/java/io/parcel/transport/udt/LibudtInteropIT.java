package io.parcel.transport.udt;

import io.parcel.spi.Options;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.parcel.transport.udt.ReferencePeer.freeUdpPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference library as the other end of the wire: {@code test-tools/udt-peer} (built against Debian's
 * libudt 4.11) sends to and receives from our sockets, client/server both ways and rendezvous; SHA-256 must match.
 * The peer is {@code -Dudt.peer} or (re)built by {@code build.sh}; skipped where it cannot be built (see
 * {@link ReferencePeer#locate}). Bytes per run: {@code -Dudt.interop.bytes} (default 256 MiB).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LibudtInteropIT {
    private static final Pattern SHA = Pattern.compile("\"sha256\":\"([0-9a-f]{64})\"");
    private static final Pattern BYTES = Pattern.compile("\"bytes\":(\\d+)");
    private static final long BYTES_PER_RUN = Long.getLong("udt.interop.bytes", 256L << 20);
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(200);
    private static ReferencePeer peer;

    @BeforeAll
    static void findPeer() throws Exception {
        peer = ReferencePeer.locate();
    }

    private static String field(Pattern pattern, String report) {
        Matcher matcher = pattern.matcher(report);
        assertTrue(matcher.find(), "no " + pattern + " in " + report);
        return matcher.group(1);
    }

    private static String send(Socket socket, long bytes) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        new Random(bytes).nextBytes(chunk);
        OutputStream out = socket.getOutputStream();
        for (long left = bytes; left > 0; ) {
            int n = (int) Math.min(left, chunk.length);
            out.write(chunk, 0, n);
            digest.update(chunk, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String receive(Socket socket, long[] count) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        InputStream in = socket.getInputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
            count[0] += n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @ParameterizedTest(name = "udt.cc={0}")
    @ValueSource(strings = {"native", "bbr"})
    void javaClientSendsToReferenceServer(String congestionControl) throws Exception {
        int port = freeUdpPort();
        try (var server = peer.start("server", "--listen", "127.0.0.1:" + port, "--once", "--accept-timeout", "30",
                "--timeout", "30")) {
            Thread.sleep(300);
            String sent;
            try (UdtSocket socket = new UdtSocket(Options.empty().with(UdtOptions.CONGESTION_CONTROL, congestionControl))) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
                long start = System.nanoTime();
                sent = send(socket, BYTES_PER_RUN);
                socket.close();
                System.out.printf("java(%s) -> libudt: %d bytes, %.0f Mbit/s%n", congestionControl, BYTES_PER_RUN,
                        BYTES_PER_RUN * 8e3 / (System.nanoTime() - start));
            }
            String report = server.finish(PEER_TIMEOUT);
            assertEquals(String.valueOf(BYTES_PER_RUN), field(BYTES, report));
            assertEquals(sent, field(SHA, report));
        }
    }

    @Test
    void referenceClientSendsToJavaServer() throws Exception {
        try (UdtServerSocket server = new UdtServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.setSoTimeout(30_000);
            try (var client = peer.start("client", "--to", "127.0.0.1:" + server.getLocalPort(), "--bytes",
                    String.valueOf(BYTES_PER_RUN), "--timeout", "30")) {
                long[] count = {0};
                String received;
                long start = System.nanoTime();
                try (Socket accepted = server.accept()) {
                    received = receive(accepted, count);
                }
                System.out.printf("libudt -> java: %d bytes, %.0f Mbit/s%n", count[0],
                        count[0] * 8e3 / (System.nanoTime() - start));
                String report = client.finish(PEER_TIMEOUT);
                assertEquals(BYTES_PER_RUN, count[0]);
                assertEquals(field(SHA, report), received);
            }
        }
    }

    @Test
    void javaServerSendsToReferenceClient() throws Exception {
        long bytes = BYTES_PER_RUN / 4;
        try (UdtServerSocket server = new UdtServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.setSoTimeout(30_000);
            try (var client = peer.start("client", "--to", "127.0.0.1:" + server.getLocalPort(), "--reverse",
                    "--expect-bytes", String.valueOf(bytes), "--timeout", "30")) {
                String sent;
                try (Socket accepted = server.accept()) {
                    sent = send(accepted, bytes);
                }
                String report = client.finish(PEER_TIMEOUT);
                assertEquals(sent, field(SHA, report));
            }
        }
    }

    @Test
    void rendezvousWithTheReferencePeer() throws Exception {
        long bytes = BYTES_PER_RUN / 4;
        int javaPort = freeUdpPort();
        int peerPort = freeUdpPort();
        try (UdtSocket socket = new UdtSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), javaPort));
            socket.setRendezvous(true);
            try (var other = peer.start("client", "--rendezvous", "--bind", "127.0.0.1:" + peerPort, "--to",
                    "127.0.0.1:" + javaPort, "--bytes", String.valueOf(bytes), "--timeout", "30")) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), peerPort), 30_000);
                long[] count = {0};
                String received = receive(socket, count);
                String report = other.finish(PEER_TIMEOUT);
                assertEquals(bytes, count[0]);
                assertEquals(field(SHA, report), received);
            }
        }
    }
}
