package io.parcel.transport.udt;

import io.parcel.spi.Options;
import io.parcel.transport.udt.internal.core.ConnectionConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Message sockets over real loopback UDP, directly and through the seeded impairing relay. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UdtMessageSocketTest {
    private static final int PAYLOAD = 1456;
    private ExecutorService executor;

    @BeforeEach
    void setUp() {
        executor = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    private static int sizeOf(int index) {
        int[] sizes = {4, PAYLOAD, PAYLOAD + 1, 3 * PAYLOAD, 20_000, 200_000};
        return sizes[index % sizes.length];
    }

    private static byte[] message(long seed, int index) {
        return MessageModeInteropIT.message(seed, index, sizeOf(index));
    }

    private static Options options() {
        return Options.empty().with("timeout", "30s").with("connect-timeout", "10s");
    }

    @ParameterizedTest(name = "seed {0}, loss {1}, duplicate {2}, reorder {3}, {4} messages")
    @CsvSource({
        "1, 0.0, 0.0, 0.0, 300",
        "2, 0.02, 0.01, 0.02, 200",
        "3, 0.05, 0.02, 0.05, 150",
        "4, 0.10, 0.05, 0.10, 80",
    })
    void inOrderMessagesWithoutTtlArriveWholeAndInOrderThroughAnImpairedLink(long seed, double loss,
            double duplicate, double reorder, int count) throws Exception {
        try (UdtMessageServerSocket server = UdtMessageServerSocket.bind(loopback(0), options());
                ImpairingRelay relay = new ImpairingRelay(loopback(server.localAddress().getPort()), seed, loss,
                        duplicate, reorder)) {
            Future<Integer> receiving = executor.submit(() -> {
                try (UdtMessageSocket accepted = server.accept(Duration.ofSeconds(30))) {
                    ByteBuffer into = ByteBuffer.allocate(1 << 20);
                    for (int i = 0; i < count; i++) {
                        into.clear();
                        int n = accepted.receive(into, Duration.ofSeconds(60));
                        assertArrayEquals(message(seed, i), Arrays.copyOf(into.array(), n), "message " + i);
                    }
                    into.clear();
                    return accepted.receive(into, Duration.ofSeconds(60));
                }
            });
            try (UdtMessageSocket client = UdtMessageSocket.connect(relay.address(), options())) {
                for (int i = 0; i < count; i++) {
                    client.send(ByteBuffer.wrap(message(seed, i)), true);
                }
            }
            assertEquals(-1, receiving.get(90, TimeUnit.SECONDS), "end after the sender closed");
        }
    }

    @Test
    void messagesWithTtlOverALossyLinkNeverStallTheConnection() throws Exception {
        int count = 200;
        try (UdtMessageServerSocket server = UdtMessageServerSocket.bind(loopback(0), options());
                ImpairingRelay relay = new ImpairingRelay(loopback(server.localAddress().getPort()), 11, 0.15,
                        0.0, 0.05)) {
            Future<Integer> receiving = executor.submit(() -> {
                int received = 0;
                int last = -1;
                try (UdtMessageSocket accepted = server.accept(Duration.ofSeconds(30))) {
                    ByteBuffer into = ByteBuffer.allocate(1 << 20);
                    while (true) {
                        into.clear();
                        int n = accepted.receive(into, Duration.ofSeconds(60));
                        if (n < 0) {
                            return received;
                        }
                        int index = ByteBuffer.wrap(into.array()).getInt(0);
                        assertTrue(index > last, "in order: " + index + " after " + last);
                        assertArrayEquals(message(12, index), Arrays.copyOf(into.array(), n), "message " + index);
                        last = index;
                        received++;
                    }
                }
            });
            String statistics;
            try (UdtMessageSocket client = UdtMessageSocket.connect(relay.address(), options())) {
                for (int i = 0; i < count; i++) {
                    client.send(ByteBuffer.wrap(message(12, i)), Duration.ofMillis(30), true);
                }
                // every message is acknowledged, delivered or dropped, within a bounded time: nothing stalls
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                statistics = client.statistics();
                while (!statistics.contains("messagesQueued=0 ") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    statistics = client.statistics();
                }
                assertTrue(statistics.contains("messagesQueued=0 "), "all acknowledged: " + statistics);
            }
            int received = receiving.get(90, TimeUnit.SECONDS);
            System.out.println("ttl run: " + received + " of " + count + " delivered; sender " + statistics);
            assertTrue(received > count / 3 && received <= count, received + " of " + count + "; " + statistics);
            assertTrue(!statistics.contains("dropRequestsSent=0 "), "expired messages were dropped: " + statistics);
        }
    }

    @Test
    void twoPeersExchangeMessagesAfterARendezvous() throws Exception {
        int portA = freeUdpPort();
        int portB = freeUdpPort();
        Future<UdtMessageSocket> connectingA = executor.submit(() -> UdtMessageSocket.connect(loopback(portB),
                rendezvous(portA)));
        Future<UdtMessageSocket> connectingB = executor.submit(() -> UdtMessageSocket.connect(loopback(portA),
                rendezvous(portB)));
        try (UdtMessageSocket a = connectingA.get(30, TimeUnit.SECONDS);
                UdtMessageSocket b = connectingB.get(30, TimeUnit.SECONDS)) {
            assertEquals(portA, a.localAddress().getPort(), "A connects from its bound port");
            for (int i = 0; i < 6; i++) {
                byte[] toB = message(11, i);
                byte[] toA = message(12, i);
                a.send(ByteBuffer.wrap(toB), true);
                b.send(ByteBuffer.wrap(toA), true);
                ByteBuffer atB = ByteBuffer.allocate(toB.length);
                assertEquals(toB.length, b.receive(atB, Duration.ofSeconds(10)));
                assertArrayEquals(toB, atB.array());
                ByteBuffer atA = ByteBuffer.allocate(toA.length);
                assertEquals(toA.length, a.receive(atA, Duration.ofSeconds(10)));
                assertArrayEquals(toA, atA.array());
            }
        }
    }

    @Test
    void aRendezvousNeedsABoundAddress() {
        io.parcel.spi.UsageException e = assertThrows(io.parcel.spi.UsageException.class,
                () -> UdtMessageSocket.connect(loopback(9), options().with("udt.rendezvous", "true")));
        assertTrue(e.getMessage().contains("udt.bind"), e.getMessage());
    }

    private static Options rendezvous(int localPort) {
        return options().with("udt.rendezvous", "true")
                .with("udt.bind", InetAddress.getLoopbackAddress().getHostAddress() + ":" + localPort);
    }

    private static int freeUdpPort() throws SocketException {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void tooSmallBufferKeepsTheMessageAndSaysHowLargeItIs() throws Exception {
        try (UdtMessageServerSocket server = UdtMessageServerSocket.bind(loopback(0), options());
                UdtMessageSocket client = UdtMessageSocket.connect(loopback(server.localAddress().getPort()),
                        options());
                UdtMessageSocket accepted = server.accept(Duration.ofSeconds(10))) {
            byte[] big = message(5, 4);
            client.send(ByteBuffer.wrap(big), true);
            UdtMessageSocket.MessageSizeException e = assertThrows(UdtMessageSocket.MessageSizeException.class,
                    () -> accepted.receive(ByteBuffer.allocate(1000), Duration.ofSeconds(10)));
            assertEquals(big.length, e.size());
            assertEquals(1000, e.limit());
            ByteBuffer into = ByteBuffer.allocate(e.size());
            assertEquals(big.length, accepted.receive(into, Duration.ofSeconds(10)));
            assertArrayEquals(big, into.array());
            assertEquals(0, into.remaining());
            assertThrows(SocketTimeoutException.class,
                    () -> accepted.receive(ByteBuffer.allocate(10), Duration.ofMillis(100)));
            int limit = client.maxMessageSize();
            assertEquals((ConnectionConfig.DEFAULT_BUFFER_PACKETS - 1) * PAYLOAD, limit,
                    "the peer's receive buffer less one packet");
            assertThrows(UdtMessageSocket.MessageSizeException.class,
                    () -> client.send(ByteBuffer.allocate(limit + 1), true));
        }
    }

    @Test
    void closeEndsTheReceiverAndBlockedCallsFail() throws Exception {
        try (UdtMessageServerSocket server = UdtMessageServerSocket.bind(loopback(0), options())) {
            UdtMessageSocket client = UdtMessageSocket.connect(loopback(server.localAddress().getPort()), options());
            try (UdtMessageSocket accepted = server.accept(Duration.ofSeconds(10))) {
                Future<Object> blocked = executor.submit(() -> {
                    try {
                        return client.receive(ByteBuffer.allocate(10), Duration.ZERO);
                    } catch (SocketException e) {
                        return e;
                    }
                });
                Thread.sleep(200);
                accepted.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), true);
                assertEquals(3, blocked.get(10, TimeUnit.SECONDS));
                client.send(ByteBuffer.wrap(message(1, 3)), true);
                client.close();
                ByteBuffer into = ByteBuffer.allocate(1 << 20);
                assertEquals(sizeOf(3), accepted.receive(into, Duration.ofSeconds(10)), "sent before close");
                assertEquals(-1, accepted.receive(into, Duration.ofSeconds(10)), "then the end");
                assertThrows(SocketException.class, () -> client.send(ByteBuffer.allocate(1), true));
            }
        }
    }

    @Test
    void closeReleasesABlockedReceive() throws Exception {
        try (UdtMessageServerSocket server = UdtMessageServerSocket.bind(loopback(0), options());
                UdtMessageSocket client = UdtMessageSocket.connect(loopback(server.localAddress().getPort()),
                        options())) {
            UdtMessageSocket accepted = server.accept(Duration.ofSeconds(10));
            Future<Object> waiting = executor.submit(() -> {
                try {
                    return accepted.receive(ByteBuffer.allocate(10), Duration.ZERO);
                } catch (SocketException e) {
                    return e;
                }
            });
            Thread.sleep(300);
            assertTrue(!waiting.isDone(), "blocked");
            accepted.close();
            Object outcome = waiting.get(10, TimeUnit.SECONDS);
            assertTrue(outcome instanceof SocketException, "a receive blocked in close fails: " + outcome);
            assertEquals(-1, client.receive(ByteBuffer.allocate(10), Duration.ofSeconds(10)), "the peer sees the end");
        }
    }

    @Test
    void streamSocketAndMessageListenerRejectEachOther() throws Exception {
        try (UdtMessageServerSocket server = UdtMessageServerSocket.bind(loopback(0), options());
                UdtSocket stream = new UdtSocket()) {
            ConnectException e = assertThrows(ConnectException.class,
                    () -> stream.connect(loopback(server.localAddress().getPort()), 5_000));
            assertTrue(e.getMessage().contains("socket type"), e.getMessage());
        }
        try (UdtServerSocket server = new UdtServerSocket()) {
            server.bind(loopback(0));
            ConnectException e = assertThrows(ConnectException.class,
                    () -> UdtMessageSocket.connect(loopback(server.getLocalPort()), options()));
            assertTrue(e.getMessage().contains("rejected"), e.getMessage());
        }
    }
}
