package io.parcel.transport.udt;

import io.parcel.spi.Options;
import io.parcel.transport.udt.internal.io.UdtEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UDT_REUSEADDR: sockets bound to one address and port share its UDP port, told apart by socket id, as in 4.11. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReuseAddressTest {
    private final UdtEngine engine = new UdtEngine();

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void twoClientsBoundToOnePortShareItAndBothCarryTheirOwnData() throws Exception {
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), freeUdpPort());
        try (UdtServerSocket server = new UdtServerSocket(engine, UdtOptions.defaults());
             UdtSocket a = new UdtSocket(engine, UdtOptions.defaults(), false);
             UdtSocket b = new UdtSocket(engine, UdtOptions.defaults(), false)) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertTrue(a.getReuseAddress(), "on by default, as in 4.11");
            a.bind(local);
            b.bind(local);
            assertEquals(2, engine.openPorts(), "the server's port and one shared client port");

            a.connect(server.getLocalSocketAddress(), 5_000);
            b.connect(server.getLocalSocketAddress(), 5_000);
            server.setSoTimeout(5_000);
            try (Socket first = server.accept(); Socket second = server.accept()) {
                assertEquals(local.getPort(), a.getLocalPort());
                assertEquals(local.getPort(), b.getLocalPort());
                write(a, "from a");
                write(b, "from b");
                String one = read(first, 6);
                String two = read(second, 6);
                assertEquals(java.util.Set.of("from a", "from b"), java.util.Set.of(one, two));
            }
        }
        assertEquals(0, engine.openPorts(), "the shared port closes with its last socket");
    }

    @Test
    void withoutReuseTheSecondBindFails() throws Exception {
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), freeUdpPort());
        try (UdtSocket a = new UdtSocket(engine, UdtOptions.defaults(), false);
             UdtSocket b = new UdtSocket(engine, UdtOptions.defaults(), false)) {
            a.bind(local);
            b.setReuseAddress(false);
            assertFalse(b.getReuseAddress());
            assertThrows(BindException.class, () -> b.bind(local));
        }
    }

    @Test
    void aSocketWithAnotherMssCannotShareThePort() throws Exception {
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), freeUdpPort());
        try (UdtSocket a = new UdtSocket(engine, UdtOptions.defaults(), false);
             UdtSocket b = new UdtSocket(engine, UdtOptions.settings(Options.empty().with("udt.mss", "1400")),
                     false)) {
            a.bind(local);
            BindException e = assertThrows(BindException.class, () -> b.bind(local));
            assertTrue(e.getMessage().contains("MSS"), e.getMessage());
        }
    }

    private static void write(Socket socket, String text) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String read(Socket socket, int length) throws Exception {
        socket.setSoTimeout(5_000);
        InputStream in = socket.getInputStream();
        byte[] bytes = in.readNBytes(length);
        assertEquals(length, bytes.length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
