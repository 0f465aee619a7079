package io.parcel.kernel.relay;

import io.parcel.testsupport.BlackHole;
import io.parcel.testsupport.TestPki;
import io.parcel.spi.Options;
import io.parcel.spi.TransferException;
import io.parcel.spi.Transport;
import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayTransportTest {
    @TempDir
    Path directory;

    private final RecordingTransport inner = new RecordingTransport();

    @Test
    void withoutViaTheInnerTransportIsUsedAsItIs() throws UsageException {
        assertSame(inner, RelayTransport.wrap(inner, Options.of(java.util.Map.of("connections", "8"))));
    }

    @Test
    void relayOptionsWithoutViaAreAUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> RelayTransport.wrap(inner,
                Options.empty().with(RelayOptions.VIA_PIN, "ab".repeat(32))));
        assertTrue(e.getMessage().contains("needs 'via'"), e.getMessage());
    }

    @Test
    void refusesBadRelayOptions() throws Exception {
        Options via = Options.empty().with(RelayOptions.VIA, "relay.example.org:9000");
        assertThrows(UsageException.class, () -> RelayTransport.wrap(inner,
                Options.empty().with(RelayOptions.VIA, "relay.example.org")));
        assertThrows(UsageException.class, () -> RelayTransport.wrap(inner, via.with(RelayOptions.VIA_PIN, "abc")));
        Path ca = Files.writeString(directory.resolve("ca.pem"), "no certificate\n");
        assertThrows(UsageException.class, () -> RelayTransport.wrap(inner, via.with(RelayOptions.VIA_CA_FILE, ca.toString())));
        Path empty = Files.writeString(directory.resolve("token"), "  \n");
        assertThrows(UsageException.class, () -> RelayTransport.wrap(inner,
                via.with(RelayOptions.VIA_TOKEN_FILE, empty.toString())));
        TestPki authority = TestPki.authority("CA");
        Path goodCa = authority.writeAuthority(directory.resolve("good-ca.pem"));
        UsageException both = assertThrows(UsageException.class, () -> RelayTransport.wrap(inner,
                via.with(RelayOptions.VIA_CA_FILE, goodCa.toString()).with(RelayOptions.VIA_PIN, "ab".repeat(32))));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
    }

    @Test
    void connectsToTheRelayAndSendsTheTargetNameUnresolved() throws Exception {
        try (ServerSocket relay = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path token = Files.writeString(directory.resolve("token"), "t0ken\n");
            Transport transport = RelayTransport.wrap(inner, Options.empty()
                    .with(RelayOptions.VIA, "127.0.0.1:" + relay.getLocalPort())
                    .with(RelayOptions.VIA_TOKEN_FILE, token.toString()));
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket accepted = relay.accept()) {
                    String line = RelayPreamble.readLine(accepted, System.nanoTime() + 5_000_000_000L, System::nanoTime);
                    assertEquals("PARCEL-RELAY/1 CONNECT data.invalid:443 TOKEN t0ken", line);
                    accepted.getOutputStream().write(RelayPreamble.encodeReply(RelayPreamble.Status.OK, ""));
                    accepted.getOutputStream().write("payload".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    accepted.shutdownOutput();
                    accepted.getInputStream().read();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            try (Socket socket = transport.connect(InetSocketAddress.createUnresolved("data.invalid", 443),
                    Duration.ofSeconds(5))) {
                assertEquals("payload", new String(socket.getInputStream().readAllBytes(),
                        java.nio.charset.StandardCharsets.US_ASCII));
                assertEquals(4321, socket.getSoTimeout(), "the inner transport's read timeout is restored");
            }
            server.join(5000);
            assertFalse(server.isAlive());
            assertEquals(new InetSocketAddress("127.0.0.1", relay.getLocalPort()), inner.lastRemote);
            assertFalse(transport.toString().contains("t0ken"));
            assertThrows(UnsupportedOperationException.class,
                    () -> transport.listen(new InetSocketAddress(0), 1));
            transport.close();
            assertTrue(inner.closed, "the relay transport owns its inner transport");
        }
    }

    @Test
    void theFirstBytesFollowTheRequestLineWithoutWaitingForTheRelaysAnswer() throws Exception {
        try (ServerSocket relay = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Transport transport = RelayTransport.wrap(inner, Options.empty()
                    .with(RelayOptions.VIA, "127.0.0.1:" + relay.getLocalPort()));
            java.util.concurrent.CompletableFuture<String> firstBytes = new java.util.concurrent.CompletableFuture<>();
            Thread server = Thread.ofVirtual().start(() -> {
                // This relay answers only once the client's own bytes have arrived: a client that waits for the
                // answer before it sends anything never gets one.
                try (Socket accepted = relay.accept()) {
                    accepted.setSoTimeout(5000);
                    RelayPreamble.readLine(accepted, System.nanoTime() + 5_000_000_000L, System::nanoTime);
                    byte[] hello = accepted.getInputStream().readNBytes(5);
                    firstBytes.complete(new String(hello, java.nio.charset.StandardCharsets.US_ASCII));
                    accepted.getOutputStream().write(RelayPreamble.encodeReply(RelayPreamble.Status.OK, ""));
                    accepted.getOutputStream().write("world".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    accepted.shutdownOutput();
                    accepted.getInputStream().read();
                } catch (Exception e) {
                    firstBytes.completeExceptionally(e);
                }
            });
            try (Socket socket = transport.connect(InetSocketAddress.createUnresolved("data.invalid", 80),
                    Duration.ofSeconds(5))) {
                socket.getOutputStream().write("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertEquals("hello", firstBytes.get(5, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(0, socket.getInputStream().available(), "nothing to read before the answer is checked");
                assertEquals("world", new String(socket.getInputStream().readAllBytes(),
                        java.nio.charset.StandardCharsets.US_ASCII));
                assertEquals(4321, socket.getSoTimeout(), "the inner transport's read timeout is restored");
            }
            server.join(5000);
            assertFalse(server.isAlive());
        }
    }

    @Test
    void aRelayThatNeverAnswersFailsTheFirstReadAfterTheReadTimeout() throws Exception {
        try (ServerSocket relay = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Transport transport = RelayTransport.wrap(inner, Options.empty()
                    .with(RelayOptions.VIA, "127.0.0.1:" + relay.getLocalPort()));
            try (Socket socket = transport.connect(InetSocketAddress.createUnresolved("data.invalid", 80),
                    Duration.ofSeconds(5));
                 Socket accepted = relay.accept()) {
                socket.setSoTimeout(200);
                long start = System.nanoTime();
                java.net.SocketTimeoutException e = assertThrows(java.net.SocketTimeoutException.class,
                        () -> socket.getInputStream().read());
                assertTrue(e.getMessage().contains("did not answer for data.invalid:80"), e.getMessage());
                assertTrue(System.nanoTime() - start < 3_000_000_000L, "bounded by the read timeout");
                assertTrue(accepted.isConnected());
            }
        }
    }

    @Test
    void aRelayThatDoesNotAcceptIsNamedInARetryableFailure() throws Exception {
        try (BlackHole relay = BlackHole.tcpFullBacklog(java.net.InetAddress.getLoopbackAddress())) {
            Transport transport = RelayTransport.wrap(inner, Options.empty()
                    .with(RelayOptions.VIA, "127.0.0.1:" + relay.address().getPort()));
            TransferException e = assertThrows(TransferException.class, () -> transport.connect(
                    InetSocketAddress.createUnresolved("data.invalid", 80), Duration.ofMillis(300)));
            assertTrue(e.retryable(), e.getMessage());
            assertEquals("relay 127.0.0.1:" + relay.address().getPort() + " did not accept within 300 ms over recording"
                    + " (is 'parcel serve' running there and reachable?)", e.getMessage());
        }
    }

    /** A plain-socket transport that records where it connected and whether it was closed. */
    private static final class RecordingTransport implements Transport {
        volatile InetSocketAddress lastRemote;
        volatile boolean closed;

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Socket connect(InetSocketAddress remote, Duration timeout) throws java.io.IOException {
            lastRemote = remote;
            Socket socket = new Socket();
            socket.connect(remote, (int) timeout.toMillis());
            socket.setSoTimeout(4321);
            return socket;
        }

        @Override
        public ServerSocket listen(InetSocketAddress local, int backlog) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
