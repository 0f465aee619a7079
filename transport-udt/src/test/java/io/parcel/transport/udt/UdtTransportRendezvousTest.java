package io.parcel.transport.udt;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.spi.UsageException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rendezvous through the transport SPI alone: what {@code parcel perf client --rendezvous --bind} relies on. */
class UdtTransportRendezvousTest {
    private final UdtTransportFactory factory = new UdtTransportFactory();

    @Test
    void twoPeersConnectToEachOtherFromTheirBoundPorts() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int portA = freeUdpPort();
        int portB = freeUdpPort();
        try (Transport a = rendezvousTransport(loopback, portA);
             Transport b = rendezvousTransport(loopback, portB)) {
            ExecutorService executor = Executors.newFixedThreadPool(2);
            try {
                Future<Socket> socketA = executor.submit(
                        () -> a.connect(new InetSocketAddress(loopback, portB), Duration.ofSeconds(10)));
                Future<Socket> socketB = executor.submit(
                        () -> b.connect(new InetSocketAddress(loopback, portA), Duration.ofSeconds(10)));
                try (Socket sa = socketA.get(20, TimeUnit.SECONDS); Socket sb = socketB.get(20, TimeUnit.SECONDS)) {
                    assertTrue(sa.getLocalPort() == portA, "A must connect from its bound port, was " + sa.getLocalPort());
                    byte[] message = "hello across the rendezvous".getBytes(StandardCharsets.US_ASCII);
                    OutputStream out = sa.getOutputStream();
                    out.write(message);
                    out.flush();
                    sb.setSoTimeout(10_000);
                    InputStream in = sb.getInputStream();
                    assertArrayEquals(message, in.readNBytes(message.length));
                }
            } finally {
                executor.shutdownNow();
            }
        }
    }

    @Test
    void rendezvousWithoutABoundAddressIsAUsageError() {
        UsageException e = assertThrows(UsageException.class,
                () -> factory.create(Options.of(Map.of("udt.rendezvous", "true")), PluginContext.system()));
        assertTrue(e.getMessage().contains("udt.bind"), e.getMessage());
    }

    @Test
    void malformedBindAddressIsAUsageError() {
        assertThrows(UsageException.class,
                () -> factory.create(Options.of(Map.of("udt.bind", "no-port")), PluginContext.system()));
    }

    private Transport rendezvousTransport(InetAddress host, int port) throws Exception {
        return factory.create(Options.of(Map.of("udt.rendezvous", "true",
                "udt.bind", host.getHostAddress() + ":" + port)), PluginContext.system());
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
