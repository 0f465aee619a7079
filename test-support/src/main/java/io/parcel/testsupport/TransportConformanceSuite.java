package io.parcel.testsupport;

import io.parcel.spi.CommonOptions;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract of {@link Transport}, as tests every transport must pass. A transport module adds a subclass that
 * supplies {@link #factory()} and, only where the transport truly differs, overrides a hook ({@link #options()},
 * {@link #blackHole()}, {@link #abortiveClose(Socket)}, {@link #bulkBytes()}, ...).
 *
 * <p>Every test runs under {@link org.junit.jupiter.api.Assertions#assertTimeoutPreemptively} and closes every
 * socket it opened afterwards (which also unblocks a thread stuck in I/O), so a broken transport fails, never
 * hangs the build. Data is {@link TestData}, checked with SHA-256 and by first differing offset.
 */
public abstract class TransportConformanceSuite {
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private ExecutorService executor;
    private Transport transport;

    // ------------------------------------------------------------------------------------------------- hooks

    /** The factory of the transport under test. */
    protected abstract TransportFactory factory();

    /** Options for {@link TransportFactory#create}; by default a 5 s connect timeout and a 20 s I/O timeout. */
    protected Options options() {
        return Options.empty()
                .with(CommonOptions.CONNECT_TIMEOUT, "5s")
                .with(CommonOptions.IO_TIMEOUT, "20s");
    }

    protected PluginContext context() {
        return PluginContext.system();
    }

    /** The address tests listen and connect on; override for {@code ::1}. */
    protected InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    /**
     * An address that never answers a connection attempt. The default suits transports over UDP (a silent
     * datagram socket); TCP-like transports return {@link BlackHole#tcpFullBacklog(InetAddress)}.
     */
    protected BlackHole blackHole() throws IOException {
        return BlackHole.silentUdp(loopback());
    }

    /** Ends a connection the rudest way the transport has: a TCP reset by default, else a plain close. */
    protected void abortiveClose(Socket socket) throws IOException {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException | UnsupportedOperationException notSupported) {
            // A transport without lingering options just closes.
        }
        socket.close();
    }

    /** Bytes moved by each bulk test, each way (default 256 MiB). */
    protected long bulkBytes() {
        return 256L << 20;
    }

    /** Upper bound for one bulk transfer of {@link #bulkBytes()}; a limit against hangs, not a speed test. */
    protected Duration bulkTimeout() {
        return Duration.ofMinutes(3);
    }

    /** Whether a read that timed out leaves the connection usable, as TCP does. */
    protected boolean connectionUsableAfterReadTimeout() {
        return true;
    }

    protected int sequentialConnections() {
        return 200;
    }

    protected int concurrentConnections() {
        return 50;
    }

    /** Extra time allowed over any timeout the test itself sets, for a slow shared machine. */
    protected Duration slack() {
        return Duration.ofSeconds(5);
    }

    // --------------------------------------------------------------------------------------------- lifecycle

    @BeforeEach
    final void createTransport() throws IOException {
        executor = Executors.newCachedThreadPool(namedThreads("conformance"));
        transport = own(factory().create(options(), context()));
    }

    @AfterEach
    final void closeEverything() throws InterruptedException {
        List<Throwable> failures = new ArrayList<>();
        // Newest first; a test thread that timed out may still be adding, hence one at a time under the lock.
        for (AutoCloseable resource; (resource = nextToClose()) != null; ) {
            try {
                resource.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        executor.shutdownNow();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            fail("test threads still running 10 s after every socket was closed");
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("closing test resources failed");
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    // ------------------------------------------------------------------------------------------------- tests

    @Test
    void echoesManySmallWrites() {
        within(Duration.ofSeconds(60), () -> {
            Pair pair = connectedPair();
            Future<?> echo = executor.submit(() -> echo(pair.server()));
            OutputStream out = pair.client().getOutputStream();
            InputStream in = pair.client().getInputStream();
            for (int round = 0; round < 1000; round++) {
                byte[] message = TestData.bytes(round, 1 + (round * 37) % 200);
                out.write(message);
                out.flush();
                byte[] reply = in.readNBytes(message.length);
                assertArrayEquals(message, reply, "echo of round " + round);
            }
            // Single-byte writes are the worst case for a transport that packetizes per write.
            for (int value = 0; value < 256; value++) {
                out.write(value);
                out.flush();
                assertEquals(value, in.read(), "echo of single byte " + value);
            }
            pair.client().shutdownOutput();
            assertEquals(-1, in.read(), "the echo side closes after our half-close");
            await(echo);
            return null;
        });
    }

    @Test
    void bulkClientToServer() {
        within(bulkTimeout(), () -> {
            Pair pair = connectedPair();
            transfer(pair.client(), pair.server(), 1, bulkBytes());
            return null;
        });
    }

    @Test
    void bulkServerToClient() {
        within(bulkTimeout(), () -> {
            Pair pair = connectedPair();
            transfer(pair.server(), pair.client(), 2, bulkBytes());
            return null;
        });
    }

    @Test
    void bulkBothDirectionsAtOnce() {
        within(bulkTimeout(), () -> {
            Pair pair = connectedPair();
            long length = Math.max(1, bulkBytes() / 4);
            Future<?> upstream = executor.submit(() -> {
                transfer(pair.client(), pair.server(), 3, length);
                return null;
            });
            transfer(pair.server(), pair.client(), 4, length);
            await(upstream);
            return null;
        });
    }

    @Test
    void halfCloseDeliversEverythingThenTheOtherDirectionStillWorks() {
        within(Duration.ofSeconds(60), () -> {
            Pair pair = connectedPair();
            int requestLength = 1 << 20;
            int replyLength = (1 << 20) + 17;
            Future<Long> server = executor.submit(() -> {
                try {
                    long difference = TestData.firstDifference(10, 0, requestLength, pair.server().getInputStream());
                    assertEquals(-1, difference,
                            "first differing byte of the request; -1 means none and end of stream");
                    OutputStream out = pair.server().getOutputStream();
                    TestData.write(11, 0, replyLength, out);
                    out.flush();
                    pair.server().shutdownOutput();
                    return difference;
                } catch (Throwable failure) {
                    pair.server().close(); // so the client, waiting for the reply, fails fast too
                    throw failure;
                }
            });
            OutputStream out = pair.client().getOutputStream();
            TestData.write(10, 0, requestLength, out);
            out.flush();
            pair.client().shutdownOutput();
            assertTrue(pair.client().isOutputShutdown(), "isOutputShutdown after shutdownOutput");
            assertFalse(pair.client().isClosed(), "half-close does not close");
            long difference;
            try {
                difference = TestData.firstDifference(11, 0, replyLength, pair.client().getInputStream());
            } finally {
                await(server); // the server's failure, if any, is the cause of ours
            }
            assertEquals(-1, difference, "first differing byte of the reply; -1 means none and end of stream");
            return null;
        });
    }

    @Test
    void readTimesOutAndTheConnectionStaysUsable() {
        within(Duration.ofSeconds(30), () -> {
            Pair pair = connectedPair();
            pair.client().setSoTimeout(300);
            assertEquals(300, pair.client().getSoTimeout());
            InputStream in = pair.client().getInputStream();
            long started = System.nanoTime();
            assertThrows(SocketTimeoutException.class, in::read, "read with nothing to read and a 300 ms timeout");
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(elapsedMillis >= 200, "read timed out after " + elapsedMillis + " ms, before its 300 ms");
            if (!connectionUsableAfterReadTimeout()) {
                return null;
            }
            pair.server().getOutputStream().write(new byte[] {1, 2, 3});
            pair.server().getOutputStream().flush();
            pair.client().setSoTimeout((int) slack().toMillis() * 2);
            assertArrayEquals(new byte[] {1, 2, 3}, in.readNBytes(3), "data after a read timeout");
            pair.client().getOutputStream().write(new byte[] {4, 5});
            pair.client().getOutputStream().flush();
            assertArrayEquals(new byte[] {4, 5}, pair.server().getInputStream().readNBytes(2),
                    "the other direction after a read timeout");
            return null;
        });
    }

    @Test
    void acceptTimesOutAndTheListenerStaysUsable() {
        within(Duration.ofSeconds(30), () -> {
            ServerSocket listener = listen();
            listener.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, listener::accept, "accept with nobody connecting");
            listener.setSoTimeout((int) slack().toMillis() * 2);
            Future<Socket> accepted = executor.submit(() -> own(listener.accept()));
            Socket client = own(transport.connect(addressOf(listener), connectTimeout()));
            Socket server = await(accepted);
            client.getOutputStream().write(42);
            client.getOutputStream().flush();
            assertEquals(42, server.getInputStream().read());
            return null;
        });
    }

    @Test
    void connectToAPortNobodyServesFails() {
        Duration timeout = Duration.ofSeconds(2);
        within(timeout.plus(slack()), () -> {
            InetSocketAddress unserved = new InetSocketAddress(loopback(), freePort());
            IOException failure = assertThrows(IOException.class, () -> own(transport.connect(unserved, timeout)),
                    "connect to " + unserved + " where nobody listens");
            assertTrue(failure.getMessage() != null && !failure.getMessage().isBlank(),
                    "the failure says what happened: " + failure);
            return null;
        });
    }

    @Test
    void connectToABlackHoleTimesOut() {
        Duration timeout = Duration.ofSeconds(1);
        within(timeout.plus(slack()).plus(slack()), () -> {
            try (BlackHole hole = blackHole()) {
                long started = System.nanoTime();
                IOException failure = assertThrows(IOException.class,
                        () -> own(transport.connect(hole.address(), timeout)),
                        "connect to " + hole.address() + ", which never answers");
                long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertInstanceOf(SocketTimeoutException.class, failure, "a connect that got no answer times out");
                assertTrue(elapsedMillis <= timeout.plus(slack()).toMillis(),
                        "connect gave up after " + elapsedMillis + " ms; its timeout was " + timeout.toMillis());
            }
            return null;
        });
    }

    @Test
    void peerAbortUnblocksABlockedReader() {
        within(Duration.ofSeconds(30), () -> {
            Pair pair = connectedPair();
            pair.client().setSoTimeout(20_000);
            CountDownLatch reading = new CountDownLatch(1);
            Future<Integer> read = executor.submit(() -> {
                reading.countDown();
                return pair.client().getInputStream().read();
            });
            assertTrue(reading.await(10, TimeUnit.SECONDS));
            Thread.sleep(200); // let the reader block
            abortiveClose(pair.server());
            assertEndedByPeer(read, "a read blocked when the peer aborted");
            return null;
        });
    }

    @Test
    void peerAbortFailsAWriter() {
        within(Duration.ofSeconds(60), () -> {
            Pair pair = connectedPair();
            Future<Long> writer = executor.submit(() -> writeUntilFailure(pair.server(), 1L << 32));
            Thread.sleep(200); // let the writer fill the buffers
            abortiveClose(pair.client());
            try {
                long written = writer.get(40, TimeUnit.SECONDS);
                fail("wrote " + written + " bytes to an aborted peer without an error");
            } catch (ExecutionException e) {
                assertInstanceOf(IOException.class, e.getCause(), "writing to an aborted peer");
            }
            return null;
        });
    }

    @Test
    void writeToAPeerThatNeverReadsFailsWithinTheIoTimeout() {
        Duration ioTimeout = Duration.ofSeconds(1);
        within(Duration.ofSeconds(60), () -> {
            Transport strict = own(factory().create(options().with(CommonOptions.IO_TIMEOUT, "1s"), context()));
            Pair pair = connectedPair(strict);
            // The server never reads: once every buffer is full, the writer must give up after the I/O timeout.
            IOException failure = assertThrows(IOException.class, () -> writeUntilFailure(pair.client(), 1L << 32),
                    "writing 4 GiB to a peer that never reads, with an I/O timeout of " + ioTimeout);
            assertTrue(failure.getMessage() != null, "the failure says what happened: " + failure);
            return null;
        });
    }

    @Test
    void gracefulCloseIsSeenByThePeerAndCloseIsIdempotent() {
        within(Duration.ofSeconds(30), () -> {
            Pair pair = connectedPair();
            pair.client().getOutputStream().write(7);
            pair.client().getOutputStream().flush();
            pair.client().close();
            pair.client().close();
            assertTrue(pair.client().isClosed());
            assertThrows(IOException.class, () -> pair.client().getInputStream().read(), "read after close");
            InputStream serverIn = pair.server().getInputStream();
            assertEquals(7, serverIn.read(), "data written before close arrives");
            assertEndOrFailure(serverIn, "read after the peer closed");
            pair.server().close();
            pair.server().close();
            pair.listener().close();
            pair.listener().close();
            assertTrue(pair.listener().isClosed());
            transport.close();
            transport.close();
            return null;
        });
    }

    @Test
    void carriesTlsLayeredOnItsSockets() {
        within(Duration.ofSeconds(60), () -> {
            TestTls tls = TestTls.get();
            Pair pair = connectedPair();
            // As the SPI promises: TLS runs over any transport through SSLSocketFactory.createSocket(socket, ...).
            SSLSocket server = own((SSLSocket) tls.serverContext().getSocketFactory()
                    .createSocket(pair.server(), null, pair.server().getPort(), true));
            server.setUseClientMode(false);
            SSLSocket client = own((SSLSocket) tls.clientContext().getSocketFactory()
                    .createSocket(pair.client(), "localhost", pair.client().getPort(), true));
            SSLParameters parameters = client.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            client.setSSLParameters(parameters);
            Future<?> echo = executor.submit(() -> {
                server.startHandshake();
                byte[] request = server.getInputStream().readNBytes(1 << 20);
                server.getOutputStream().write(request);
                server.getOutputStream().flush();
                return null;
            });
            client.startHandshake();
            byte[] request = TestData.bytes(20, 1 << 20);
            Future<?> send = executor.submit(() -> {
                client.getOutputStream().write(request);
                client.getOutputStream().flush();
                return null;
            });
            byte[] reply = client.getInputStream().readNBytes(request.length);
            await(send);
            await(echo);
            assertEquals(Sha256.of(request), Sha256.of(reply), "SHA-256 of 1 MiB echoed over TLS");
            // Both at once: closing a TLS socket may wait (up to SO_TIMEOUT) for the peer's close_notify.
            Future<?> serverClosed = executor.submit(() -> {
                server.close();
                return null;
            });
            client.close();
            await(serverClosed);
            return null;
        });
    }

    @Test
    void sequentialConnectionsLeakNoThreads() {
        within(Duration.ofSeconds(120), () -> {
            Set<Thread> before = liveThreads();
            ExecutorService servers = Executors.newCachedThreadPool(namedThreads("sequential-echo"));
            try (Transport fresh = factory().create(options(), context());
                 ServerSocket listener = fresh.listen(new InetSocketAddress(loopback(), 0), 50)) {
                Future<?> acceptor = servers.submit(() -> acceptEchoes(listener, servers, sequentialConnections()));
                for (int cycle = 0; cycle < sequentialConnections(); cycle++) {
                    try (Socket client = fresh.connect(addressOf(listener), connectTimeout())) {
                        client.setSoTimeout((int) slack().toMillis() * 2);
                        echoOnce(client, cycle, 100);
                    }
                }
                await(acceptor);
            } finally {
                shutdown(servers);
            }
            assertNoNewThreads(before);
            return null;
        });
    }

    @Test
    void concurrentConnectionsLeakNoThreads() {
        within(Duration.ofSeconds(120), () -> {
            Set<Thread> before = liveThreads();
            int count = concurrentConnections();
            ExecutorService servers = Executors.newCachedThreadPool(namedThreads("concurrent-echo"));
            ExecutorService clients = Executors.newFixedThreadPool(count, namedThreads("concurrent-client"));
            try (Transport fresh = factory().create(options(), context());
                 ServerSocket listener = fresh.listen(new InetSocketAddress(loopback(), 0), count + 8)) {
                Future<?> acceptor = servers.submit(() -> acceptEchoes(listener, servers, count));
                CountDownLatch allConnected = new CountDownLatch(count);
                List<Future<?>> results = new ArrayList<>();
                for (int index = 0; index < count; index++) {
                    int seed = 1000 + index;
                    results.add(clients.submit(() -> {
                        try (Socket client = fresh.connect(addressOf(listener), connectTimeout())) {
                            client.setSoTimeout((int) slack().toMillis() * 4);
                            allConnected.countDown();
                            // Hold every connection open at once before moving data.
                            assertTrue(allConnected.await(60, TimeUnit.SECONDS), "all clients connected");
                            echoOnce(client, seed, 16 * 1024);
                        }
                        return null;
                    }));
                }
                for (Future<?> result : results) {
                    await(result);
                }
                await(acceptor);
            } finally {
                shutdown(clients);
                shutdown(servers);
            }
            assertNoNewThreads(before);
            return null;
        });
    }

    // ----------------------------------------------------------------------------------------------- helpers

    /** A listener and a connected client/server pair on {@link #transport()}, all closed after the test. */
    protected record Pair(ServerSocket listener, Socket client, Socket server) {
    }

    protected final Pair connectedPair() throws Exception {
        return connectedPair(transport);
    }

    protected final Pair connectedPair(Transport over) throws Exception {
        ServerSocket listener = own(over.listen(new InetSocketAddress(loopback(), 0), 16));
        listener.setSoTimeout((int) connectTimeout().plus(slack()).toMillis());
        Future<Socket> accepted = executor.submit(() -> own(listener.accept()));
        Socket client = own(over.connect(addressOf(listener), connectTimeout()));
        Socket server = await(accepted);
        for (Socket socket : new Socket[] {client, server}) {
            if (socket.getSoTimeout() == 0) {
                // A transport without a default read timeout must not hang the suite when the other side fails.
                socket.setSoTimeout((int) slack().multipliedBy(6).toMillis());
            }
        }
        return new Pair(listener, client, server);
    }

    /** A listener on {@link #loopback()}, port 0, closed after the test. */
    protected final ServerSocket listen() throws IOException {
        return own(transport.listen(new InetSocketAddress(loopback(), 0), 16));
    }

    /** The transport under test, made from {@link #factory()} with {@link #options()} before each test. */
    protected final Transport transport() {
        return transport;
    }

    private AutoCloseable nextToClose() {
        synchronized (resources) {
            return resources.poll();
        }
    }

    /** Registers {@code resource} to be closed after the test (newest first); returns it. */
    protected final <T extends AutoCloseable> T own(T resource) {
        synchronized (resources) {
            resources.push(resource);
        }
        return resource;
    }

    protected final ExecutorService executor() {
        return executor;
    }

    protected Duration connectTimeout() {
        return Duration.ofSeconds(5);
    }

    /** Sends {@code length} bytes of seed {@code seed} from {@code from}, half-closes, checks what {@code to} got. */
    protected final void transfer(Socket from, Socket to, long seed, long length) throws Exception {
        Future<String> sent = executor.submit(() -> {
            Sha256 sha = new Sha256();
            OutputStream out = new TeeOutputStream(from.getOutputStream(), sha.outputStream());
            TestData.write(seed, 0, length, out);
            out.flush();
            from.shutdownOutput();
            return sha.hex();
        });
        Sha256 received = new Sha256();
        InputStream in = to.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int count; (count = in.read(buffer)) != -1; ) {
            received.update(buffer, 0, count);
            total += count;
        }
        String sentHash = await(sent);
        assertEquals(length, total, "bytes received");
        String receivedHash = received.hex();
        if (!sentHash.equals(receivedHash)) {
            fail("SHA-256 of " + length + " bytes differs: sent " + sentHash + ", received " + receivedHash);
        }
    }

    private void echo(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            for (int count; (count = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, count);
                out.flush();
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("echo side failed", e);
        }
    }

    private static void echoOnce(Socket client, long seed, int length) throws IOException {
        byte[] message = TestData.bytes(seed, length);
        client.getOutputStream().write(message);
        client.getOutputStream().flush();
        client.shutdownOutput();
        byte[] reply = client.getInputStream().readNBytes(length + 1);
        assertEquals(length, reply.length, "echoed length, then end of stream");
        assertArrayEquals(message, reply, "echo of seed " + seed);
    }

    private Void acceptEchoes(ServerSocket listener, ExecutorService servers, int count) throws IOException {
        listener.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
        for (int index = 0; index < count; index++) {
            Socket socket = listener.accept();
            servers.submit(() -> {
                try (socket) {
                    echo(socket);
                }
                return null;
            });
        }
        return null;
    }

    private static long writeUntilFailure(Socket socket, long limit) throws IOException {
        OutputStream out = socket.getOutputStream();
        byte[] chunk = TestData.bytes(99, 64 * 1024);
        long written = 0;
        while (written < limit) {
            out.write(chunk);
            written += chunk.length;
        }
        out.flush();
        return written;
    }

    private void assertEndedByPeer(Future<Integer> read, String what) throws Exception {
        try {
            Integer value = read.get(slack().toMillis() * 2, TimeUnit.MILLISECONDS);
            assertEquals(-1, value, what + " returned data instead of end of stream");
        } catch (ExecutionException e) {
            assertInstanceOf(IOException.class, e.getCause(), what);
            assertFalse(e.getCause() instanceof SocketTimeoutException,
                    what + " only timed out; the peer's abort was not noticed: " + e.getCause());
        } catch (TimeoutException e) {
            fail(what + " is still blocked " + slack().multipliedBy(2) + " later");
        }
    }

    private static void assertEndOrFailure(InputStream in, String what) {
        try {
            assertEquals(-1, in.read(), what);
        } catch (SocketTimeoutException e) {
            fail(what + " timed out instead of seeing the close", e);
        } catch (IOException expected) {
            // A reset is an acceptable way to learn the peer is gone.
        }
    }

    private static int freePort() throws IOException {
        // A port that is free for TCP and UDP alike, so any transport finds nobody there.
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                return udp.getLocalPort();
            } catch (SocketException taken) {
                // The UDP port of that number is in use; try another.
            }
        }
        throw new IOException("no port free for both TCP and UDP after 20 attempts");
    }

    private static InetSocketAddress addressOf(ServerSocket listener) {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    private static <T> T await(Future<T> future) throws Exception {
        try {
            return future.get(5, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause; // an assertion failed on another thread
            }
            throw e;
        }
    }

    private static <T> T within(Duration timeout, ThrowingSupplier<T> body) {
        return assertTimeoutPreemptively(timeout, body, () -> "still running after " + timeout);
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet();
    }

    private void assertNoNewThreads(Set<Thread> before) throws InterruptedException {
        // Threads end shortly after their sockets close; give them a bounded while.
        List<Thread> leaked = List.of();
        long attempts = slack().multipliedBy(2).toMillis() / 100;
        for (long attempt = 0; attempt < attempts; attempt++) {
            leaked = liveThreads().stream()
                    .filter(thread -> !before.contains(thread) && thread != Thread.currentThread())
                    .filter(Thread::isAlive)
                    .toList();
            if (leaked.size() <= 3) {
                return;
            }
            Thread.sleep(100);
        }
        fail(leaked.size() + " threads started during the test are still alive: "
                + leaked.stream().map(Thread::getName).sorted().collect(Collectors.joining(", ")));
    }

    private static void shutdown(ExecutorService executor) throws InterruptedException {
        executor.shutdownNow();
        if (!executor.awaitTermination(20, TimeUnit.SECONDS)) {
            fail("threads of " + executor + " still running 20 s after shutdown");
        }
    }

    private static ThreadFactory namedThreads(String prefix) {
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + THREAD_IDS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Writes to two streams; used to hash what is sent while sending it. */
    private static final class TeeOutputStream extends FilterOutputStream {
        private final OutputStream copy;

        TeeOutputStream(OutputStream out, OutputStream copy) {
            super(out);
            this.copy = copy;
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            out.write(data, offset, length);
            copy.write(data, offset, length);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            copy.write(b);
        }
    }
}
