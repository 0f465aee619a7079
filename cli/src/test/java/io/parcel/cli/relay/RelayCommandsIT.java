package io.parcel.cli.relay;

import io.parcel.cli.Main;
import io.parcel.kernel.relay.RelayOptions;
import io.parcel.kernel.relay.RelayTransport;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.transport.tcp.TcpTransportFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands run until the shutdown signal, then exit 0 with totals: in-process with a hand-fired signal, and as a
 * real {@code parcel} process (Main, plugins from the class path) stopped by SIGTERM.
 */
class RelayCommandsIT {
    @TempDir
    Path directory;

    private ServerSocket upstream;

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!upstream.isClosed()) {
                try {
                    Socket socket = upstream.accept();
                    Thread.ofVirtual().start(() -> echo(socket));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stopUpstream() throws IOException {
        upstream.close();
    }

    @Test
    void serveRelaysUntilSignalledAndExitsZero() throws Exception {
        CommandHarness serve = new CommandHarness(directory);
        Path token = Files.writeString(directory.resolve("token"), "command-token");
        CompletableFuture<Integer> exit = serve.start("serve", "--listen", "127.0.0.1:0", "--transport", "tcp",
                "--upstream", "http://127.0.0.1:" + upstream.getLocalPort() + "/data", "--token-file", token.toString(),
                "--idle-timeout", "30s", "--status-interval", "0");
        int port = serve.awaitListeningPort();
        Options via = Options.empty().with(RelayOptions.VIA, "127.0.0.1:" + port)
                .with(RelayOptions.VIA_TOKEN_FILE, token.toString());
        try (Transport client = RelayTransport.wrap(tcp(), via);
             Socket socket = client.connect(InetSocketAddress.createUnresolved("127.0.0.1", upstream.getLocalPort()),
                     Duration.ofSeconds(10))) {
            assertEquals("hello", roundTrip(socket, "hello"));
        }
        serve.shutdown.fire();
        assertEquals(0, exit.get(20, TimeUnit.SECONDS));
        assertTrue(serve.err().contains("parcel serve: stopped after"), serve.err());
        assertTrue(serve.err().contains("1 accepted"), serve.err());
        assertEquals(0, serve.shutdown.registered(), "the shutdown hook is removed when the command ends");
    }

    @Test
    void tunnelPairCarriesBytesAndStopsOnTheSignal() throws Exception {
        CommandHarness exitSide = new CommandHarness(directory);
        CompletableFuture<Integer> exitCode = exitSide.start("tunnel", "udt2tcp", "--listen", "127.0.0.1:0",
                "--to", "127.0.0.1:" + upstream.getLocalPort(), "--transport", "tcp");
        int exitPort = exitSide.awaitListeningPort();
        CommandHarness entrySide = new CommandHarness(directory);
        CompletableFuture<Integer> entryCode = entrySide.start("tunnel", "tcp2udt", "--listen", "127.0.0.1:0",
                "--to", "127.0.0.1:" + exitPort, "--transport", "tcp");
        int entryPort = entrySide.awaitListeningPort();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), entryPort)) {
            assertEquals("through the tunnel", roundTrip(socket, "through the tunnel"));
        }
        entrySide.shutdown.fire();
        exitSide.shutdown.fire();
        assertEquals(0, entryCode.get(20, TimeUnit.SECONDS));
        assertEquals(0, exitCode.get(20, TimeUnit.SECONDS));
        assertTrue(entrySide.err().contains("parcel tunnel tcp2udt: stopped after"), entrySide.err());
    }

    @Test
    void sigtermClosesServeAndPrintsTheTotals() throws Exception {
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        Process serve = new ProcessBuilder(javaBinary, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "serve", "--listen", "127.0.0.1:0",
                "--transport", "tcp", "--upstream", "http://127.0.0.1:" + upstream.getLocalPort())
                .redirectErrorStream(true).start();
        try {
            // The child's output, line by line, read on a thread of its own so every wait here has a deadline.
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader output = new BufferedReader(
                        new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = output.readLine(); line != null; line = output.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // The process is gone; the assertions below say what was missing.
                }
            });
            StringBuilder seen = new StringBuilder();
            Pattern listening = Pattern.compile("parcel serve: listening on [^ ]*:(\\d+) ");
            int port = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (port < 0 && System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.append(line).append('\n');
                    Matcher matcher = listening.matcher(line);
                    port = matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
                }
            }
            assertTrue(port > 0, "serve did not start: " + seen);
            try (Transport client = RelayTransport.wrap(tcp(), Options.empty().with(RelayOptions.VIA, "127.0.0.1:" + port));
                 Socket socket = client.connect(InetSocketAddress.createUnresolved("127.0.0.1", upstream.getLocalPort()),
                         Duration.ofSeconds(10))) {
                assertEquals("before the signal", roundTrip(socket, "before the signal"));
            }
            // SIGTERM through the handle: Process.destroy() would also close our end of the child's output.
            assertTrue(serve.toHandle().destroy(), "SIGTERM could not be sent");
            assertTrue(serve.waitFor(20, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
            long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!seen.toString().contains("stopped after") && System.nanoTime() < drained) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.append(line).append('\n');
                }
            }
            assertTrue(seen.toString().contains("parcel serve: stopped after") && seen.toString().contains("1 accepted"),
                    "exit " + serve.exitValue() + ":\n" + seen);
            assertEquals(0, serve.exitValue(), "a server told to stop ends normally:\n" + seen);
        } finally {
            serve.destroyForcibly();
        }
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        socket.shutdownOutput();
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    private static Transport tcp() throws IOException {
        return new TcpTransportFactory().create(Options.empty(), PluginContext.system());
    }

    private static void echo(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            in.transferTo(socket.getOutputStream());
            socket.shutdownOutput();
        } catch (IOException e) {
            // The test's own read reports a broken echo.
        }
    }
}
