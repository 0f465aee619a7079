package io.parcel.transport.udt.internal.io;

import io.parcel.transport.udt.internal.cc.BbrCongestionControl;
import io.parcel.transport.udt.internal.core.ConnectionConfig;
import io.parcel.transport.udt.internal.wire.Handshake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client socket alone on its UDP port has the port's channel connected to its peer (cheaper sends); anything
 * else sharing the port undoes that, and a connected channel's ICMP errors do not stop the port.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PinnedPortTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long SECOND = 1_000_000_000L;

    private final UdtEngine engine = new UdtEngine();
    private final SocketSettings settings = new SocketSettings(new ConnectionConfig(1500, 4096, 4096, 4096, 0,
            Handshake.SOCKET_TYPE_STREAM, 3 * SECOND, BbrCongestionControl::new), 4 << 20, 4 << 20, SECOND,
            10 * SECOND, true);

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void aClientAloneOnItsPortIsConnectedToItsPeerAndHearsNoStranger() throws Exception {
        ListenerEndpoint listener = engine.listen(new InetSocketAddress(LOOPBACK, 0), settings, 8);
        ConnectionEndpoint client = engine.bind(new InetSocketAddress(LOOPBACK, 0), settings)
                .connect(listener.localAddress(), false, 3 * SECOND);
        ConnectionEndpoint server = listener.accept(3_000);

        assertTrue(client.multiplexer().isPinned());
        assertFalse(server.multiplexer().isPinned(), "a listener's port serves every peer");

        long droppedBefore = client.multiplexer().dropped();
        try (DatagramChannel stranger = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
            for (int i = 0; i < 10; i++) {
                stranger.send(ByteBuffer.wrap(new byte[32]), client.localAddress());
            }
        }
        byte[] request = pattern(256 * 1024, 1);
        byte[] reply = pattern(256 * 1024, 2);
        client.write(request, 0, request.length);
        assertArrayEquals(request, readFully(server, request.length));
        server.write(reply, 0, reply.length);
        assertArrayEquals(reply, readFully(client, reply.length));
        // the strangers were sent before the reply, on the same host: an unconnected port would have counted them
        assertEquals(droppedBefore, client.multiplexer().dropped(), "the kernel keeps strangers out");
    }

    @Test
    void aSecondSocketOnThePortDisconnectsItAndBothKeepWorking() throws Exception {
        ListenerEndpoint listener = engine.listen(new InetSocketAddress(LOOPBACK, 0), settings, 8);
        InetSocketAddress shared = new InetSocketAddress(LOOPBACK, freeUdpPort());
        UdtEngine.BoundPort firstPort = engine.bind(shared, settings);
        ConnectionEndpoint first = firstPort.connect(listener.localAddress(), false, 3 * SECOND);
        ConnectionEndpoint firstAccepted = listener.accept(3_000);
        assertTrue(first.multiplexer().isPinned());

        ConnectionEndpoint second = engine.bind(shared, settings).connect(listener.localAddress(), false, 3 * SECOND);
        ConnectionEndpoint secondAccepted = listener.accept(3_000);
        assertFalse(first.multiplexer().isPinned(), "two sockets share the port");
        assertEquals(first.localAddress(), second.localAddress());

        byte[] one = pattern(64 * 1024, 3);
        byte[] two = pattern(64 * 1024, 4);
        first.write(one, 0, one.length);
        second.write(two, 0, two.length);
        assertArrayEquals(one, readFully(firstAccepted, one.length));
        assertArrayEquals(two, readFully(secondAccepted, two.length));
        firstAccepted.write(two, 0, two.length);
        assertArrayEquals(two, readFully(first, two.length));
    }

    @Test
    void aPeerPortGoneForAMomentDoesNotStopTheConnectedPort() throws Exception {
        ListenerEndpoint listener = engine.listen(new InetSocketAddress(LOOPBACK, 0), settings, 8);
        try (BlinkingRelay relay = new BlinkingRelay(listener.localAddress())) {
            ConnectionEndpoint client = engine.bind(new InetSocketAddress(LOOPBACK, 0), settings)
                    .connect(relay.address(), false, 3 * SECOND);
            ConnectionEndpoint server = listener.accept(3_000);
            assertTrue(client.multiplexer().isPinned());

            byte[] data = pattern(8 << 20, 5);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    client.write(data, 0, data.length);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] received = new byte[data.length];
            int got = read(server, received, 0, 1 << 20);
            // while the relay's port is closed, the client's sends come back as ICMP port unreachable, which a
            // connected channel reports on its next receive and send
            relay.blink(300);
            got += read(server, received, got, data.length - got);
            writing.get(20, TimeUnit.SECONDS);
            assertEquals(data.length, got);
            assertTrue(Arrays.equals(data, received), "the bytes arrive intact after the blink");
            assertTrue(relay.refusedWhileClosed() > 0, "the client did send into the closed port");
        }
    }

    private static byte[] readFully(ConnectionEndpoint endpoint, int length) throws IOException {
        byte[] bytes = new byte[length];
        assertEquals(length, read(endpoint, bytes, 0, length));
        return bytes;
    }

    private static int read(ConnectionEndpoint endpoint, byte[] target, int offset, int length) throws IOException {
        int total = 0;
        while (total < length) {
            int n = endpoint.read(target, offset + total, length - total, 10_000);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static byte[] pattern(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    /** Forwards datagrams between one client and a target; {@link #blink} closes its front port for a while. */
    private static final class BlinkingRelay implements AutoCloseable {
        private final InetSocketAddress target;
        private final InetSocketAddress frontAddress;
        private final DatagramChannel back;
        private final Thread forward;
        private final Thread backward;
        private volatile DatagramChannel front;
        private volatile InetSocketAddress client;
        private volatile boolean closed;
        private volatile boolean blinking;
        private volatile long refusedWhileClosed;

        BlinkingRelay(InetSocketAddress target) throws IOException {
            this.target = target;
            front = openFront(new InetSocketAddress(LOOPBACK, 0));
            frontAddress = (InetSocketAddress) front.getLocalAddress();
            back = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
            back.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            forward = Thread.ofPlatform().daemon().name("blink-forward").start(this::forward);
            backward = Thread.ofPlatform().daemon().name("blink-backward").start(this::backward);
        }

        private static DatagramChannel openFront(InetSocketAddress address) throws IOException {
            DatagramChannel channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            return channel.bind(address);
        }

        InetSocketAddress address() {
            return frontAddress;
        }

        long refusedWhileClosed() {
            return refusedWhileClosed;
        }

        /** Closes the front port, waits, and opens it again on the same port. */
        void blink(long closedMillis) throws Exception {
            blinking = true;
            DatagramChannel old = front;
            front = null;
            old.close();
            // a closed port is seen by the client only through ICMP: count the datagrams the kernel refused
            long before = udpNoPorts();
            Thread.sleep(closedMillis);
            refusedWhileClosed = udpNoPorts() - before;
            front = openFront(frontAddress);
            blinking = false;
        }

        private void forward() {
            ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
            while (!closed) {
                DatagramChannel current = front;
                if (current == null) {
                    pause();
                    continue;
                }
                try {
                    buffer.clear();
                    client = (InetSocketAddress) current.receive(buffer);
                    buffer.flip();
                    back.send(buffer, target);
                } catch (IOException e) {
                    if (!blinking && !closed) {
                        pause();
                    }
                }
            }
        }

        private void backward() {
            ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
            while (!closed) {
                try {
                    buffer.clear();
                    back.receive(buffer);
                    buffer.flip();
                    DatagramChannel current = front;
                    InetSocketAddress to = client;
                    if (current != null && to != null) {
                        current.send(buffer, to);
                    }
                } catch (IOException e) {
                    if (closed) {
                        return;
                    }
                }
            }
        }

        private static void pause() {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The kernel's count of UDP datagrams that found no socket (each answered with ICMP unreachable). */
        private static long udpNoPorts() throws IOException {
            var lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    String[] names = lines.get(i).split("\\s+");
                    String[] values = lines.get(i + 1).split("\\s+");
                    for (int k = 0; k < names.length; k++) {
                        if (names[k].equals("NoPorts")) {
                            return Long.parseLong(values[k]);
                        }
                    }
                }
            }
            return 0;
        }

        @Override
        public void close() throws Exception {
            closed = true;
            DatagramChannel current = front;
            if (current != null) {
                current.close();
            }
            back.close();
            forward.join(2_000);
            backward.join(2_000);
        }
    }
}
