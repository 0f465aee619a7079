package io.parcel.kernel.relay;

import io.parcel.testsupport.RecordingLogger;
import io.parcel.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} of either tunnel half in the middle of a transfer: the other half and both end points notice at
 * once (end of stream or reset) and close; nothing waits for a timeout.
 */
class TunnelKillIT {
    private final RecordingLogger logger = new RecordingLogger();
    private Process child;

    @AfterEach
    void killChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @SuppressWarnings("try") // the client closes early on purpose, like an HTTP client at end of stream
    void killingTheServerSideEndsTheClientSide() throws Exception {
        try (StreamingServer upstream = new StreamingServer(); Transport transport = Fixtures.tcp()) {
            int exitPort = startChild("exit", upstream.port());
            try (TunnelServer entry = TunnelServer.tcpToTransport(Fixtures.anyLoopbackPort(), transport,
                    new HostPort("127.0.0.1", exitPort), 16, settings(), logger);
                 Socket client = new Socket("127.0.0.1", entry.localAddress().getPort())) {
                client.setSoTimeout(10_000);
                InputStream in = client.getInputStream();
                assertEquals(1 << 20, in.readNBytes(1 << 20).length, "data flows before the kill");

                child.destroyForcibly();
                assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child did not die");

                drainUntilClosed(in);
                // The dead half's end of stream arrived as a half-close; the client closes on it, as HTTP clients do,
                // and the surviving half must then let go of the connection.
                client.close();
                assertTrue(TunnelServerIT.waitUntil(() -> entry.statistics().active() == 0, 5000),
                        "the surviving half still holds the connection");
                assertTrue(TunnelServerIT.waitUntil(() -> upstream.broken() == 1, 5000),
                        "the upstream connection of the killed half was not closed");
            }
        }
    }

    @Test
    void killingTheClientSideEndsTheServerSide() throws Exception {
        try (StreamingServer upstream = new StreamingServer(); Transport transport = Fixtures.tcp();
             TunnelServer exit = TunnelServer.transportToTcp(transport, Fixtures.anyLoopbackPort(),
                     new HostPort("127.0.0.1", upstream.port()), 16, settings(), logger)) {
            int entryPort = startChild("entry", exit.localAddress().getPort());
            try (Socket client = new Socket("127.0.0.1", entryPort)) {
                client.setSoTimeout(10_000);
                InputStream in = client.getInputStream();
                assertEquals(1 << 20, in.readNBytes(1 << 20).length, "data flows before the kill");

                child.destroyForcibly();
                assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child did not die");

                drainUntilClosed(in);
                assertTrue(TunnelServerIT.waitUntil(() -> exit.statistics().active() == 0, 5000),
                        "the surviving half still holds the connection");
                assertTrue(TunnelServerIT.waitUntil(() -> upstream.broken() == 1, 5000),
                        "the upstream kept streaming into a dead tunnel");
            }
        }
        assertTrue(logger.await(line -> line.contains("closed (error:"), 5000), logger.joined());
    }

    /** Reads what was in flight; the stream must then end or reset, never run into the read timeout. */
    private static void drainUntilClosed(InputStream in) {
        byte[] buffer = new byte[64 * 1024];
        long limit = 512L << 20;
        try {
            long total = 0;
            int count;
            while ((count = in.read(buffer)) >= 0) {
                total += count;
                if (total > limit) {
                    throw new AssertionError("data still flowing after the kill: " + total + " bytes");
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the client side hung until its read timeout", e);
        } catch (IOException e) {
            // Reset by the peer: the tunnel is gone, as it should be.
        }
    }

    private static PumpSettings settings() {
        return PumpSettings.defaults().withConnectTimeout(Duration.ofSeconds(5));
    }

    private int startChild(String role, int toPort) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        child = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), TunnelProcess.class.getName(), role, String.valueOf(toPort)))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
        // Read on a thread of its own so the wait has a deadline even if the child hangs before printing.
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }, command -> Thread.ofVirtual().start(command));
        String line;
        try {
            line = first.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the " + role + " process did not start within 30 s", e);
        }
        if (line == null || !line.startsWith("PORT ")) {
            throw new IOException("the " + role + " process did not start: " + line);
        }
        return Integer.parseInt(line.substring(5).trim());
    }
}
