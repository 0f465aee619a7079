package io.parcel.kernel.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;
import static java.util.Objects.requireNonNull;

/**
 * The pump shared by {@code serve} and the tunnels: every admitted connection gets a virtual thread that sets it up
 * (handshake, onward connection) and then copies one direction while a second virtual thread copies the other.
 *
 * <p>End of stream on one side shuts down output on the other (half-close); the connection closes fully when both
 * directions have ended or when either fails. A sweeper closes connections on which no byte moved either way for the
 * idle timeout, which also bounds every read and every write that a vanished peer would otherwise block forever.
 * Each connection logs one line when it closes (bytes each way, duration, why); totals are kept for a status line.
 *
 * <p>The group owns every socket handed to {@link #admit}. {@link #close()} closes all of them and waits, bounded,
 * for their threads.
 */
final class PumpGroup implements AutoCloseable {
    private static final Duration LONGEST_SWEEP_PERIOD = Duration.ofSeconds(1);
    private static final Duration SHORTEST_SWEEP_PERIOD = Duration.ofMillis(10);

    private final String name;
    private final PumpSettings settings;
    private final System.Logger logger;
    private final LongSupplier nanoTime;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();
    private final Thread sweeper;
    private final Object admission = new Object();
    private volatile boolean closed;

    /** How a connection is set up before bytes flow: a handshake, the onward connection. */
    @FunctionalInterface
    interface Setup {
        /**
         * Runs in the connection's own thread. Returns the two sockets to splice (the client side possibly
         * replaced, e.g. by TLS over it) or throws; a {@link Refusal} is logged by its message alone.
         */
        Spliced open(Link link) throws IOException;
    }

    /** The two ends to copy between, and what the far end is, for the log. */
    record Spliced(Socket client, Socket upstream, String target) {
        Spliced {
            requireNonNull(client, "client is null");
            requireNonNull(upstream, "upstream is null");
            requireNonNull(target, "target is null");
        }
    }

    /** A connection turned away on purpose, with the reason to log. */
    static final class Refusal extends IOException {
        private static final long serialVersionUID = 1L;

        Refusal(String reason) {
            super(reason);
        }
    }

    PumpGroup(String name, PumpSettings settings, System.Logger logger, LongSupplier nanoTime) {
        this.name = requireNonNull(name, "name is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.logger = requireNonNull(logger, "logger is null");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
        this.sweeper = Thread.ofVirtual().name("parcel-" + name + "-sweeper").unstarted(this::sweep);
        threads.add(sweeper);
        sweeper.start();
    }

    /**
     * Takes ownership of {@code socket}: sets it up with {@code setup} and pumps it in threads of its own, or, over the
     * connection limit or after {@link #close()}, closes it at once.
     */
    void admit(Socket socket, Setup setup) {
        requireNonNull(socket, "socket is null");
        requireNonNull(setup, "setup is null");
        String client = format(socket.getRemoteSocketAddress());
        Link link;
        synchronized (admission) {
            if (closed || links.size() >= settings.maxConnections()) {
                String reason = closed ? "shutting down" : links.size() + " connections open (the limit)";
                refused.incrementAndGet();
                logger.log(WARNING, name + ": refused a connection from " + client + ": " + reason);
                closeQuietly(socket);
                return;
            }
            accepted.incrementAndGet();
            link = new Link(nextId.getAndIncrement(), client, socket);
            links.add(link);
        }
        Thread thread = Thread.ofVirtual().name("parcel-" + name + "-" + link.id + "-up")
                .unstarted(() -> runConnection(link, setup));
        threads.add(thread);
        thread.start();
    }

    /** Totals since the start; live connections included. */
    RelayStatistics statistics() {
        return new RelayStatistics(accepted.get(), refused.get(), links.size(), bytesUp.sum(), bytesDown.sum());
    }

    /** Threads of this group still running (connection threads and the sweeper). */
    int liveThreads() {
        return (int) threads.stream().filter(Thread::isAlive).count();
    }

    private Thread firstAlive() {
        return threads.stream().filter(Thread::isAlive).findFirst().orElse(null);
    }

    /** Closes every connection and waits up to the close timeout for their threads. Idempotent. */
    @Override
    public void close() {
        synchronized (admission) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Link link : List.copyOf(links)) {
            link.abort("shutdown");
        }
        // Also wakes threads that are still inside a lingering close (UDT waits there for acknowledgements); at
        // shutdown nothing more is owed to any peer.
        for (Thread thread : threads) {
            thread.interrupt();
        }
        long deadline = nanoTime.getAsLong() + settings.closeTimeout().toNanos();
        // Taken afresh each round: a connection that was splicing as it was aborted may still start its second thread.
        for (Thread alive = firstAlive(); alive != null; alive = firstAlive()) {
            long remaining = deadline - nanoTime.getAsLong();
            try {
                if (remaining <= 0 || !alive.join(Duration.ofNanos(remaining))) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = liveThreads();
        if (left > 0) {
            logger.log(WARNING, name + ": " + left + " connection threads still running "
                    + settings.closeTimeout().toMillis() + " ms after shutdown");
        }
    }

    private void runConnection(Link link, Setup setup) {
        try {
            Spliced spliced;
            try {
                spliced = setup.open(link);
            } catch (Refusal e) {
                link.fail("refused: " + e.getMessage());
                return;
            } catch (IOException | RuntimeException e) {
                link.fail("setup failed: " + describe(e));
                return;
            }
            if (!link.splice(spliced)) {
                return;
            }
            Thread down = Thread.ofVirtual().name("parcel-" + name + "-" + link.id + "-down")
                    .unstarted(() -> {
                        try {
                            copy(link, spliced.upstream(), spliced.client(), link.down, bytesDown);
                        } finally {
                            threads.remove(Thread.currentThread());
                        }
                    });
            threads.add(down);
            down.start();
            copy(link, spliced.client(), spliced.upstream(), link.up, bytesUp);
        } finally {
            threads.remove(Thread.currentThread());
        }
    }

    private void copy(Link link, Socket from, Socket to, LongAdder counter, LongAdder total) {
        try {
            byte[] buffer = new byte[settings.bufferBytes()];
            // Reads wait for data however long it takes: idleness is the sweeper's to judge, not a read timeout.
            from.setSoTimeout(0);
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                int count = in.read(buffer);
                if (count < 0) {
                    break;
                }
                if (count > 0) {
                    out.write(buffer, 0, count);
                    out.flush();
                    counter.add(count);
                    total.add(count);
                    link.lastActivity = nanoTime.getAsLong();
                }
            }
            to.shutdownOutput();
            link.directionEnded(null);
        } catch (IOException | RuntimeException e) {
            link.directionEnded(e);
        }
    }

    private void sweep() {
        long idleNanos = settings.idleTimeout().toNanos();
        long period = Math.max(SHORTEST_SWEEP_PERIOD.toNanos(), Math.min(LONGEST_SWEEP_PERIOD.toNanos(), idleNanos / 4));
        try {
            while (!closed) {
                TimeUnit.NANOSECONDS.sleep(period);
                long now = nanoTime.getAsLong();
                for (Link link : links) {
                    if (link.spliced && now - link.lastActivity >= idleNanos) {
                        link.abort("idle for " + settings.idleTimeout().toMillis() + " ms");
                    }
                }
            }
        } catch (InterruptedException e) {
            // close() wakes the sweeper to end it.
        } finally {
            threads.remove(Thread.currentThread());
        }
    }

    /** One admitted connection: its sockets, counters and how it ended. */
    final class Link {
        final long id;
        final String client;
        final LongAdder up = new LongAdder();
        final LongAdder down = new LongAdder();
        final long startNanos;
        volatile long lastActivity;
        volatile boolean spliced;
        private final Socket accepted;
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        private final AtomicInteger directionsLeft = new AtomicInteger(2);
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile String target = "?";
        private volatile String abortReason;
        private volatile Throwable firstError;

        private Link(long id, String client, Socket accepted) {
            this.id = id;
            this.client = client;
            this.accepted = accepted;
            this.startNanos = nanoTime.getAsLong();
            this.lastActivity = startNanos;
            sockets.add(accepted);
        }

        /** The socket as accepted; the link closes it. */
        Socket accepted() {
            return accepted;
        }

        /** Names the far end, for the log, as soon as it is known. */
        void target(String value) {
            target = requireNonNull(value, "value is null");
        }

        /** Hands the link another socket to close with it (TLS over the accepted one, the upstream). */
        void own(Socket socket) throws IOException {
            sockets.add(requireNonNull(socket, "socket is null"));
            if (abortReason != null) {
                // Closed while this was being opened: the new socket must not outlive the link.
                closeAll();
                throw new Refusal(abortReason);
            }
        }

        /** A short label for log lines: "serve #12 1.2.3.4:5678 -> example.org:443". */
        String label() {
            return name + " #" + id + " " + client + " -> " + target;
        }

        private boolean splice(Spliced spliced) {
            target = spliced.target();
            sockets.add(spliced.client());
            sockets.add(spliced.upstream());
            lastActivity = nanoTime.getAsLong();
            this.spliced = true;
            if (abortReason != null) {
                finish();
                return false;
            }
            logger.log(DEBUG, () -> label() + ": open");
            return true;
        }

        private void fail(String reason) {
            // A setup cut short by close() or the sweeper failed because of that, not on its own.
            String why = abortReason != null ? abortReason : reason;
            if (abortReason == null) {
                abortReason = reason;
                refused.incrementAndGet();
            }
            closeAll();
            // Logged before the link leaves the set, so a caller that sees it gone also finds its line in the log.
            if (finished.compareAndSet(false, true)) {
                logger.log(WARNING, () -> label() + ": " + why);
            }
            links.remove(this);
        }

        /**
         * Closes everything at once: idle, shutdown, an error on either side. The first reason wins. Unlike the end of a
         * connection whose both directions finished, nothing is owed to either peer here, so sockets close without
         * lingering (UDT would otherwise wait up to its linger time for unacknowledged data to a peer that may be gone).
         */
        void abort(String reason) {
            if (abortReason == null) {
                abortReason = reason;
            }
            for (Socket socket : sockets) {
                try {
                    socket.setSoLinger(true, 0);
                } catch (IOException | RuntimeException e) {
                    // Already closed, or a socket without linger: it closes the usual way below.
                }
            }
            closeAll();
        }

        private void directionEnded(Throwable error) {
            if (error != null) {
                if (firstError == null && abortReason == null) {
                    firstError = error;
                }
                abort("error: " + describe(error));
            }
            if (directionsLeft.decrementAndGet() == 0) {
                finish();
            }
        }

        private void finish() {
            if (finished.compareAndSet(false, true)) {
                double seconds = (nanoTime.getAsLong() - startNanos) / 1e9;
                String reason = abortReason == null ? "both sides finished" : abortReason;
                logger.log(firstError == null ? INFO : WARNING, () -> String.format(Locale.ROOT,
                        "%s: closed (%s) after %.1f s: %d bytes up, %d bytes down",
                        label(), reason, seconds, up.sum(), down.sum()));
            }
            // No longer counted as active while its sockets close: a transport may linger there to deliver the last
            // bytes (UDT does), which is this thread's business and bounded by the transport's linger time.
            links.remove(this);
            closeAll();
        }

        private void closeAll() {
            // The accepted socket first: closing a TLS socket over it may try to send close_notify, which must not
            // block on a peer that stopped reading.
            closeQuietly(accepted);
            for (Socket socket : sockets) {
                closeQuietly(socket);
            }
        }
    }

    static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + RelayPreamble.sanitize(message));
    }

    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException | RuntimeException e) {
            // Closing is best effort: the socket is unusable either way.
        }
    }
}
