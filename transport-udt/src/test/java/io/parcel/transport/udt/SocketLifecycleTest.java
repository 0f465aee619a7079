package io.parcel.transport.udt;

import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.transport.udt.internal.core.PayloadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SocketLifecycleTest {

    static Set<String> udtThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("udt-")).collect(Collectors.toSet());
    }

    @Test
    void openAndCloseManyConnectionsWithoutLeakingThreadsOrPorts() throws Exception {
        openAndClose(100);
    }

    /**
     * Connects, exchanges a byte and closes {@code cycles} times; then no UDT thread may be left, and the packet
     * memory the connections took is back in the pool.
     */
    static void openAndClose(int cycles) throws Exception {
        Set<String> before = udtThreads();
        long memoryBefore = PayloadPool.shared().takenBytes();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Transport transport = new UdtTransportFactory().create(Options.empty(), PluginContext.system());
                ServerSocket server = transport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50)) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
            Future<Integer> acceptor = executor.submit(() -> {
                int served = 0;
                for (int i = 0; i < cycles; i++) {
                    try (Socket accepted = server.accept()) {
                        int b = accepted.getInputStream().read();
                        accepted.getOutputStream().write(b + 1);
                        served++;
                    }
                }
                return served;
            });
            for (int i = 0; i < cycles; i++) {
                try (Socket client = transport.connect(address, Duration.ofSeconds(5))) {
                    client.getOutputStream().write(i & 0x7F);
                    assertEquals((i & 0x7F) + 1, client.getInputStream().read());
                }
            }
            assertEquals(cycles, acceptor.get(30, TimeUnit.SECONDS));
        } finally {
            executor.shutdownNow();
        }
        Set<String> leaked = udtThreads();
        for (int i = 0; i < 50 && !before.containsAll(leaked); i++) {
            Thread.sleep(50);
            leaked = udtThreads();
        }
        leaked.removeAll(before);
        assertTrue(leaked.isEmpty(), "threads left behind: " + leaked);
        assertTrue(PayloadPool.shared().takenBytes() <= memoryBefore,
                "packet memory left behind: " + PayloadPool.shared() + ", before " + memoryBefore + " bytes");
    }

    @Test
    void closingTheTransportFailsItsSockets() throws Exception {
        Transport transport = new UdtTransportFactory().create(Options.empty(), PluginContext.system());
        ServerSocket server = transport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Socket> accepted = executor.submit(server::accept);
            Socket client = transport.connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), Duration.ofSeconds(5));
            accepted.get(5, TimeUnit.SECONDS);
            Future<Integer> blockedRead = executor.submit(() -> client.getInputStream().read());
            Thread.sleep(100);
            transport.close();
            java.util.concurrent.ExecutionException failure = assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> blockedRead.get(5, TimeUnit.SECONDS));
            assertTrue(failure.getCause() instanceof IOException, String.valueOf(failure.getCause()));
            assertThrows(IOException.class,
                    () -> transport.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), Duration.ofSeconds(1)));
            client.close();
            server.close();
        } finally {
            executor.shutdownNow();
            transport.close();
        }
    }

    @Test
    void closeIsIdempotentAndStreamsFailAfterwards() throws Exception {
        try (Transport transport = new UdtTransportFactory().create(Options.empty(), PluginContext.system());
                ServerSocket server = transport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5)) {
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try {
                Future<Socket> accepted = executor.submit(server::accept);
                Socket client = transport.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        server.getLocalPort()), Duration.ofSeconds(5));
                Socket peer = accepted.get(5, TimeUnit.SECONDS);
                client.close();
                client.close();
                assertTrue(client.isClosed());
                assertThrows(SocketException.class, () -> client.getOutputStream());
                peer.setSoTimeout(5_000);
                assertEquals(-1, peer.getInputStream().read(), "the peer sees the close as end of stream");
                assertThrows(IOException.class, () -> {
                    for (int i = 0; i < 100; i++) {
                        peer.getOutputStream().write(new byte[1000]);
                    }
                });
                peer.close();
            } finally {
                executor.shutdownNow();
            }
        }
    }

    @Test
    void acceptHonoursItsTimeout() throws Exception {
        try (UdtServerSocket server = new UdtServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, server::accept);
        }
    }

    @Test
    void worksOverIpv6Loopback() throws Exception {
        InetAddress ipv6;
        try {
            ipv6 = InetAddress.getByName("::1");
            try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open()) {
                probe.bind(new InetSocketAddress(ipv6, 0));
            }
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e);
            return;
        }
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (UdtServerSocket server = new UdtServerSocket()) {
            server.bind(new InetSocketAddress(ipv6, 0));
            Future<Integer> echo = executor.submit(() -> {
                try (Socket accepted = server.accept()) {
                    int b = accepted.getInputStream().read();
                    accepted.getOutputStream().write(b);
                    return b;
                }
            });
            try (UdtSocket client = new UdtSocket()) {
                client.connect(new InetSocketAddress(ipv6, server.getLocalPort()), 5_000);
                client.getOutputStream().write(42);
                assertEquals(42, client.getInputStream().read());
            }
            assertEquals(42, echo.get(5, TimeUnit.SECONDS));
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void rendezvousBetweenTwoJavaSockets() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (UdtSocket a = new UdtSocket(); UdtSocket b = new UdtSocket()) {
            a.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            a.setRendezvous(true);
            b.setRendezvous(true);
            Future<?> other = executor.submit(() -> {
                b.connect(a.getLocalSocketAddress(), 10_000);
                b.getOutputStream().write("pong".getBytes());
                return null;
            });
            a.connect(b.getLocalSocketAddress(), 10_000);
            other.get(10, TimeUnit.SECONDS);
            a.getOutputStream().write("ping".getBytes());
            assertEquals("pong", new String(a.getInputStream().readNBytes(4)));
            assertEquals("ping", new String(b.getInputStream().readNBytes(4)));
        } finally {
            executor.shutdownNow();
        }
    }
}
