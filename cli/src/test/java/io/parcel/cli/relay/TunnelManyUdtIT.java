package io.parcel.cli.relay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 200 connections at once through a {@code bin/parcel-tcp2udt} / {@code bin/parcel-udt2tcp} pair over real UDT, each
 * its own UDT connection on the pair's one UDP port, with the launcher's default 256 MiB heap. (TunnelServerIT runs
 * 200 connections in-process over the tcp transport, which hides what each UDT connection costs: with 1.6 MiB of
 * congestion-control records per connection both halves died of OutOfMemoryError.)
 */
class TunnelManyUdtIT {
    private static final int CONNECTIONS = 200;
    private static final int BYTES_PER_CONNECTION = 256 * 1024;
    private static final long DEADLINE_SECONDS = 120;

    @TempDir
    Path work;

    @Test
    void twoHundredConnectionsAtOnceAllEchoTheirBytes() throws Exception {
        try (LoopbackServer echo = echoServer();
             DistTunnelPair tunnels = DistTunnelPair.start(work, echo.port(), "10s")) {
            carryAndEcho(echo, tunnels);
        }
    }

    private static void carryAndEcho(LoopbackServer echo, DistTunnelPair tunnels) throws Exception {
        int entryPort = tunnels.entryPort();
        List<Socket> clients = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CONNECTIONS; i++) {
                Socket client = new Socket(InetAddress.getLoopbackAddress(), entryPort);
                client.setSoTimeout((int) TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
                clients.add(client);
            }
            // every connection is open before any finishes, so the halves hold all 200 UDT connections at once
            List<Future<byte[]>> echoed = new ArrayList<>();
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                byte[] bytes = new byte[BYTES_PER_CONNECTION];
                new Random(i).nextBytes(bytes);
                sent.add(bytes);
                Socket client = clients.get(i);
                echoed.add(pool.submit(() -> exchange(client, bytes)));
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                byte[] back = echoed.get(i).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
                assertArrayEquals(sent.get(i), back, "connection " + i + " echoed other bytes");
            }
            assertTrue(echo.accepted() >= CONNECTIONS, "the echo server saw " + echo.accepted() + " connections");
            assertTrue(tunnels.entryHalf().isAlive(), "tcp2udt died with 200 connections open:\n"
                    + tunnels.entryHalf().errors());
            assertTrue(tunnels.exitHalf().isAlive(), "udt2tcp died with 200 connections open:\n"
                    + tunnels.exitHalf().errors());
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
        // and both halves go on serving after the 200 are gone
        try (Socket again = new Socket(InetAddress.getLoopbackAddress(), entryPort)) {
            again.setSoTimeout((int) TimeUnit.SECONDS.toMillis(30));
            byte[] bytes = "still there".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            assertArrayEquals(bytes, exchange(again, bytes));
        }
    }

    /** Writes {@code bytes} while reading them back (the echo would stall on a full window otherwise). */
    private static byte[] exchange(Socket client, byte[] bytes) throws Exception {
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = client.getOutputStream();
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                // the read below reports the broken connection
            }
        });
        InputStream in = client.getInputStream();
        byte[] back = in.readNBytes(bytes.length);
        writer.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
        return back;
    }

    /** A TCP echo server on 127.0.0.1. */
    private static LoopbackServer echoServer() throws IOException {
        return new LoopbackServer("echo-source", 512, socket -> {
            try (socket) {
                socket.getInputStream().transferTo(socket.getOutputStream());
            } catch (IOException e) {
                // the client closed or the tunnel broke; the test's reads tell which
            }
        });
    }
}
