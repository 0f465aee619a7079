package io.parcel.kernel.relay;

import io.parcel.testsupport.BlackHole;
import io.parcel.testsupport.RecordingLogger;
import io.parcel.spi.Options;
import io.parcel.spi.Transport;
import io.parcel.transport.tcp.TcpTransportFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code tcp2udt} / {@code udt2tcp} pair on loopback, with the tcp transport standing in for UDT on the long haul:
 * client -> tcp2udt (TCP) -> transport -> udt2tcp -> upstream (TCP).
 */
class TunnelServerIT {
    private final RecordingLogger logger = new RecordingLogger();
    private Transport transport;

    @BeforeEach
    void openTransport() throws IOException {
        transport = Fixtures.tcp();
    }

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    /** The two halves of a tunnel to {@code upstream}. */
    private record Pair(TunnelServer entry, TunnelServer exit) implements AutoCloseable {
        int port() {
            return entry.localAddress().getPort();
        }

        @Override
        public void close() {
            entry.close();
            exit.close();
        }
    }

    private Pair tunnel(HostPort upstream, PumpSettings settings) throws IOException {
        TunnelServer exit = TunnelServer.transportToTcp(transport, Fixtures.anyLoopbackPort(), upstream, 512, settings,
                logger);
        try {
            TunnelServer entry = TunnelServer.tcpToTransport(Fixtures.anyLoopbackPort(), transport,
                    new HostPort("127.0.0.1", exit.localAddress().getPort()), 512, settings, logger);
            return new Pair(entry, exit);
        } catch (IOException | RuntimeException e) {
            exit.close();
            throw e;
        }
    }

    private static PumpSettings settings() {
        return PumpSettings.defaults().withConnectTimeout(Duration.ofSeconds(5));
    }

    @Test
    void carriesARawEcho() throws Exception {
        try (EchoServer echo = EchoServer.echo(); Pair pair = tunnel(echo.address(), settings());
             Socket socket = new Socket("127.0.0.1", pair.port())) {
            socket.setSoTimeout(10_000);
            byte[] payload = Fixtures.randomBytes(1_000_000, 3);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(payload);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    // The read below fails and reports it.
                }
            });
            assertArrayEquals(payload, socket.getInputStream().readAllBytes());
            writer.join(10_000);
        }
        assertTrue(logger.await(line -> line.contains("tcp2tcp #1") && line.contains("1000000 bytes up, 1000000 bytes down"),
                5000), logger.joined());
    }

    @Test
    void carriesAnHttpDownload() throws Exception {
        byte[] content = Fixtures.randomBytes(2 * 1024 * 1024 + 5, 11);
        try (TestHttpServer http = TestHttpServer.http(content);
             Pair pair = tunnel(new HostPort("127.0.0.1", http.port()), settings());
             Transport client = new TcpTransportFactory().create(Options.empty(), io.parcel.spi.PluginContext.system())) {
            byte[] downloaded = Fixtures.download(client, "http://127.0.0.1:" + pair.port() + "/file", Options.empty());
            assertEquals(Fixtures.sha256(content), Fixtures.sha256(downloaded));
        }
    }

    @Test
    void carriesTwoHundredConnectionsAtOnceByteExact() throws Exception {
        int connections = 200;
        try (EchoServer echo = EchoServer.echo(); Pair pair = tunnel(echo.address(), settings());
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                byte[] payload = Fixtures.randomBytes(32 * 1024 + i, i);
                results.add(clients.submit(() -> {
                    try (Socket socket = new Socket("127.0.0.1", pair.port())) {
                        socket.setSoTimeout(30_000);
                        Thread writer = Thread.ofVirtual().start(() -> {
                            try {
                                socket.getOutputStream().write(payload);
                                socket.shutdownOutput();
                            } catch (IOException e) {
                                // The comparison below fails.
                            }
                        });
                        byte[] echoed = socket.getInputStream().readAllBytes();
                        writer.join(30_000);
                        return Arrays.equals(payload, echoed);
                    }
                }));
            }
            int exact = 0;
            for (Future<Boolean> result : results) {
                if (result.get(60, TimeUnit.SECONDS)) {
                    exact++;
                }
            }
            assertEquals(connections, exact, "connections that came back byte-exact");
            assertEquals(connections, pair.entry().statistics().accepted());
            assertEquals(0, pair.entry().statistics().refused());
        }
    }

    @Test
    void propagatesHalfCloseBothWays() throws Exception {
        try (EchoServer counting = EchoServer.counting(); Pair pair = tunnel(counting.address(), settings());
             Socket socket = new Socket("127.0.0.1", pair.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(new byte[12345]);
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            assertEquals("got 12345\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII),
                    "the upstream saw end of stream, answered, and its end of stream came back");
        }
    }

    @Test
    void refusesConnectionsOverTheLimitAndServesAgainWhenBelowIt() throws Exception {
        try (EchoServer echo = EchoServer.echo(); Pair pair = tunnel(echo.address(), settings().withMaxConnections(2));
             Socket first = new Socket("127.0.0.1", pair.port());
             Socket second = new Socket("127.0.0.1", pair.port())) {
            for (Socket socket : List.of(first, second)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(1);
                assertEquals(1, socket.getInputStream().read());
            }
            try (Socket third = new Socket("127.0.0.1", pair.port())) {
                third.setSoTimeout(10_000);
                RelayServerIT.assertThrowsOrEnds(third);
            }
            assertEquals(1, pair.entry().statistics().refused());
            assertTrue(logger.any(line -> line.contains("2 connections open (the limit)")), logger.joined());

            first.close();
            assertTrue(waitUntil(() -> pair.entry().statistics().active() < 2, 5000), "the closed link is still counted");
            try (Socket fourth = new Socket("127.0.0.1", pair.port())) {
                fourth.setSoTimeout(10_000);
                fourth.getOutputStream().write(4);
                assertEquals(4, fourth.getInputStream().read());
            }
        }
    }

    @Test
    void anEntryWhoseOtherEndDoesNotAnswerSaysWhereItLooked() throws Exception {
        PumpSettings quick = PumpSettings.defaults().withConnectTimeout(Duration.ofMillis(300));
        try (BlackHole exit = BlackHole.tcpFullBacklog(InetAddress.getLoopbackAddress());
             TunnelServer entry = TunnelServer.tcpToTransport(Fixtures.anyLoopbackPort(), transport,
                     new HostPort("127.0.0.1", exit.address().getPort()), 512, quick, logger);
             Socket socket = new Socket("127.0.0.1", entry.localAddress().getPort())) {
            socket.setSoTimeout(10_000);
            RelayServerIT.assertThrowsOrEnds(socket);
            String expected = "no answer from 127.0.0.1:" + exit.address().getPort() + " over tcp within 300 ms (is"
                    + " 'parcel tunnel udt2tcp --transport tcp' listening there?)";
            assertTrue(logger.await(line -> line.contains("setup failed") && line.contains(expected), 5000),
                    logger.joined());
        }
    }

    @Test
    void closesIdleConnections() throws Exception {
        PumpSettings idle = settings().withIdleTimeout(Duration.ofMillis(300));
        try (EchoServer echo = EchoServer.echo(); Pair pair = tunnel(echo.address(), idle);
             Socket socket = new Socket("127.0.0.1", pair.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(42);
            assertEquals(42, socket.getInputStream().read(), "the link works before it goes idle");
            // Nothing more is sent: the idle timeout (not the 10 s read timeout) must end it.
            RelayServerIT.assertThrowsOrEnds(socket);
            assertTrue(logger.await(line -> line.contains("closed (idle for 300 ms)"), 5000), logger.joined());
            assertTrue(waitUntil(() -> pair.entry().statistics().active() == 0
                    && pair.exit().statistics().active() == 0 && echo.openConnections() == 0, 5000),
                    "idle connections left open on some hop");
        }
    }

    @Test
    void closeReleasesEveryThreadAndSocket() throws Exception {
        try (EchoServer echo = EchoServer.echo()) {
            Pair pair = tunnel(echo.address(), settings());
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    Socket socket = new Socket("127.0.0.1", pair.port());
                    sockets.add(socket);
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(i);
                    assertEquals(i, socket.getInputStream().read());
                }
                assertEquals(20, pair.entry().statistics().active());
                pair.close();
                assertEquals(0, pair.entry().liveThreads(), "tcp2udt threads left after close()");
                assertEquals(0, pair.exit().liveThreads(), "udt2tcp threads left after close()");
                for (Socket socket : sockets) {
                    RelayServerIT.assertThrowsOrEnds(socket);
                }
                assertTrue(waitUntil(() -> echo.openConnections() == 0, 5000), "upstream connections left open");
                assertTrue(Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(thread -> thread.getName().startsWith("parcel-tcp2tcp")
                                || thread.getName().startsWith("parcel-tcp2tcp-accept")),
                        "accept threads left running");
            } finally {
                pair.close();
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    static boolean waitUntil(java.util.function.BooleanSupplier condition, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }
}
