package io.parcel.cli.relay;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} of either half of a {@code bin/parcel-tcp2udt} / {@code bin/parcel-udt2tcp} pair over real UDT,
 * in the middle of a stream. UDT has no FIN or reset from a dead process: the survivor must notice from the silence
 * (the transport's dead-peer detection, seconds) and release the connection long before its 5-minute idle timeout,
 * and go on serving. (TunnelKillIT checks the same over TCP in-process; TunnelServerIT the 200 parallel connections.)
 */
class TunnelKillUdtIT {
    /**
     * Far below the 5-minute idle timeout the tunnels run with: noticing a dead peer is UDT's, not the sweeper's. Our
     * UDT declares a peer dead after 15 s of total silence (4.11's own rule alone takes ~45 s), plus scheduling slack.
     */
    private static final long NOTICE_SECONDS = 40;

    @TempDir
    Path work;

    private StreamingSource source;
    private DistTunnelPair tunnels;

    @BeforeEach
    void startPair() throws Exception {
        source = new StreamingSource();
        tunnels = DistTunnelPair.start(work, source.port(), "3s");
    }

    @AfterEach
    void stopAll() throws IOException {
        try {
            tunnels.close();
        } finally {
            source.close();
        }
    }

    @Test
    void killingUdt2tcpEndsTheStreamAtTcp2udtWhichGoesOnServing() throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), tunnels.entryPort())) {
            client.setSoTimeout((int) TimeUnit.SECONDS.toMillis(NOTICE_SECONDS));
            InputStream in = client.getInputStream();
            assertEquals(1 << 20, in.readNBytes(1 << 20).length, "data flows before the kill");

            tunnels.exitHalf().kill();
            long killed = System.nanoTime();
            drainUntilClosed(in);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed);
            assertTrue(seconds < NOTICE_SECONDS, "the stream ended only after " + seconds + " s");
            System.out.println("tcp2udt ended the stream " + seconds + " s after udt2tcp was killed");
        }
        // The killed half's TCP side died with it: the source saw its connection break at once.
        assertTrue(waitFor(() -> source.broken() == 1, 10), "the source's connection was not broken");
        assertTrue(waitFor(() -> tunnels.entryHalf().errors().contains("closed ("), 10),
                "tcp2udt logs the closed connection:\n" + tunnels.entryHalf().errors());
        // Not stuck: a new connection is taken and closed within its connect timeout (nobody listens on UDT now).
        try (Socket again = new Socket(InetAddress.getLoopbackAddress(), tunnels.entryPort())) {
            again.setSoTimeout(20_000);
            assertEndsOrResets(again.getInputStream());
        }
        assertTrue(tunnels.entryHalf().isAlive(), "tcp2udt must survive its peer");
    }

    @Test
    void killingTcp2udtMakesUdt2tcpReleaseTheUpstreamConnection() throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), tunnels.entryPort())) {
            client.setSoTimeout(20_000);
            InputStream in = client.getInputStream();
            assertEquals(1 << 20, in.readNBytes(1 << 20).length, "data flows before the kill");

            tunnels.entryHalf().kill();
            long killed = System.nanoTime();
            // The killed half's own TCP socket: the client hears of it at once.
            drainUntilClosed(in);
            // The other half has only UDT's silence to go by; it must close its upstream connection.
            assertTrue(waitFor(() -> source.broken() == 1, NOTICE_SECONDS),
                    "udt2tcp still holds the upstream connection " + NOTICE_SECONDS + " s after its peer died:\n"
                            + tunnels.exitHalf().errors());
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed);
            assertTrue(waitFor(() -> tunnels.exitHalf().errors().contains("closed ("), 10),
                    "udt2tcp logs the closed connection:\n" + tunnels.exitHalf().errors());
            assertTrue(tunnels.exitHalf().isAlive(), "udt2tcp must survive its peer");
            System.out.println("udt2tcp released the upstream " + seconds + " s after tcp2udt was killed");
        }
    }

    /** Reads what was in flight; the stream must then end or reset, never run into the read timeout. */
    private static void drainUntilClosed(InputStream in) {
        byte[] buffer = new byte[64 * 1024];
        long limit = 1L << 30;
        long total = 0;
        try {
            for (int count = in.read(buffer); count >= 0; count = in.read(buffer)) {
                total += count;
                assertTrue(total <= limit, "data still flowing after the kill: " + total + " bytes");
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the stream hung until the read timeout", e);
        } catch (IOException e) {
            // Reset: the tunnel is gone, as it should be.
        }
    }

    private static void assertEndsOrResets(InputStream in) {
        try {
            assertEquals(-1, in.read(), "expected end of stream");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open until the read timed out", e);
        } catch (IOException e) {
            // A reset is as good as an end of stream.
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, long seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    /**
     * A TCP server on 127.0.0.1 that streams bytes to every connection until it breaks (bounded: at most 4 GiB or
     * 120 s), counting the connections that broke. {@link #close()} ends all of them.
     */
    static final class StreamingSource implements AutoCloseable {
        private final AtomicInteger broken = new AtomicInteger();
        private final LoopbackServer server = new LoopbackServer("streaming-source", 16, this::stream);

        StreamingSource() throws IOException {
        }

        int port() {
            return server.port();
        }

        int broken() {
            return broken.get();
        }

        private void stream(Socket socket) {
            byte[] chunk = new byte[64 * 1024];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            try (socket) {
                OutputStream out = socket.getOutputStream();
                for (long sent = 0; sent < (4L << 30) && System.nanoTime() < deadline; sent += chunk.length) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                broken.incrementAndGet();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
