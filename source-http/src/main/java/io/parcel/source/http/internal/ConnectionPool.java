package io.parcel.source.http.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Idle HTTP/1.1 connections, kept for the next request to the same origin (scheme, host, port). A range taken over
 * from a slow connection, or the first range after the size probe, then goes out on a connection whose TCP (or UDT)
 * window is already open, instead of paying a handshake, a TLS handshake, a relay's preamble and a slow start: on a
 * 50 ms path each new connection at the tail of a download cost 0.3-2 s before it carried its share.
 *
 * <p>A connection is kept at most {@code maxIdleNanos} (servers close idle ones: Apache after 5 s, nginx after 75 s),
 * and at most {@code maxIdlePerOrigin} per origin; one the server closed anyway is caught by the retry in
 * {@link Exchange}. Thread-safe. Owns the idle connections: {@link #close()} closes them, and later returns are
 * closed at once.
 */
public final class ConnectionPool implements Closeable {
    /** Kept shorter than the shortest common server keep-alive timeout (Apache's 5 s). */
    public static final long DEFAULT_MAX_IDLE_NANOS = 4_000_000_000L;
    public static final int DEFAULT_MAX_IDLE_PER_ORIGIN = 32;

    private final int maxIdlePerOrigin;
    private final long maxIdleNanos;
    private final LongSupplier clock;
    // Guarded by this. Most recently returned last: the warmest connection is taken first.
    private final Map<String, ArrayDeque<Idle>> idle = new HashMap<>();
    private boolean closed;
    private long failedReuses;
    private long prepared;
    /** Connections being opened ahead per origin ({@link #prepare}); guarded by this. */
    private final Map<String, Integer> opening = new HashMap<>();

    public ConnectionPool() {
        this(DEFAULT_MAX_IDLE_PER_ORIGIN, DEFAULT_MAX_IDLE_NANOS, System::nanoTime);
    }

    public ConnectionPool(int maxIdlePerOrigin, long maxIdleNanos, LongSupplier clock) {
        if (maxIdlePerOrigin < 0 || maxIdleNanos < 0) {
            throw new IllegalArgumentException("pool limits must not be negative");
        }
        this.maxIdlePerOrigin = maxIdlePerOrigin;
        this.maxIdleNanos = maxIdleNanos;
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** An open connection: the socket (TLS already layered on for https) and the buffered stream reading from it. */
    public record Connection(Socket socket, InputStream in) implements Closeable {
        public Connection {
            requireNonNull(socket, "socket is null");
            requireNonNull(in, "in is null");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private record Idle(Connection connection, long since) {
    }

    /** The origin a connection to {@code uri} belongs to. */
    public static String origin(URI uri) {
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":"
                + Urls.port(uri);
    }

    /** The most recently returned idle connection to {@code origin} that has not expired. */
    public Optional<Connection> take(String origin) {
        List<Connection> expired = new ArrayList<>();
        Optional<Connection> taken = Optional.empty();
        synchronized (this) {
            long now = clock.getAsLong();
            evictExpired(now, expired);
            ArrayDeque<Idle> queue = idle.get(origin);
            if (queue != null) {
                Idle newest = queue.pollLast();
                if (queue.isEmpty()) {
                    idle.remove(origin);
                }
                if (newest != null) {
                    taken = Optional.of(newest.connection());
                }
            }
        }
        expired.forEach(ConnectionPool::closeQuietly);
        return taken;
    }

    /** Keeps {@code connection}, whose last response was read to its end, for the next request to {@code origin}. */
    public void give(String origin, Connection connection) {
        requireNonNull(origin, "origin is null");
        requireNonNull(connection, "connection is null");
        List<Connection> toClose = new ArrayList<>();
        synchronized (this) {
            keep(origin, connection, toClose);
        }
        toClose.forEach(ConnectionPool::closeQuietly);
    }

    /** {@link #give}'s bookkeeping, under the pool's lock; what must be closed goes to {@code toClose}. */
    private void keep(String origin, Connection connection, List<Connection> toClose) {
        long now = clock.getAsLong();
        evictExpired(now, toClose);
        if (closed || connection.socket().isClosed() || maxIdlePerOrigin == 0) {
            toClose.add(connection);
        } else {
            ArrayDeque<Idle> queue = idle.computeIfAbsent(origin, key -> new ArrayDeque<>());
            queue.addLast(new Idle(connection, now));
            if (queue.size() > maxIdlePerOrigin) {
                toClose.add(queue.pollFirst().connection());
            }
        }
    }

    /** Opens a connection ahead of the request that will take it; may block for the connect timeout. */
    @FunctionalInterface
    public interface Opener {
        Connection open() throws IOException;
    }

    /**
     * Opens, in the background, as many connections to {@code origin} as it takes for {@code count} to be idle or on
     * their way; each goes into the pool when ready (and expires there like any other). Returns at once; failures
     * are dropped (the request that would have used the connection opens its own and reports).
     */
    public void prepare(String origin, int count, Opener opener) {
        requireNonNull(origin, "origin is null");
        requireNonNull(opener, "opener is null");
        int missing;
        synchronized (this) {
            if (closed) {
                return;
            }
            ArrayDeque<Idle> queue = idle.get(origin);
            int pending = opening.getOrDefault(origin, 0);
            missing = Math.min(count, maxIdlePerOrigin) - pending - (queue == null ? 0 : queue.size());
            if (missing <= 0) {
                return;
            }
            opening.put(origin, pending + missing);
        }
        // Platform threads, not virtual ones: a virtual thread that waits for a connect starts the JDK's I/O
        // poller thread, which then sits in epoll_wait for the rest of the process, and the JVM's exit waits up to
        // 300 ms for a thread in native code. Measured: about half of all 1 MiB downloads on loopback ended 0.3 s late.
        for (int i = 0; i < missing; i++) {
            Thread.ofPlatform().daemon().name("parcel-connect-ahead").start(() -> openAhead(origin, opener));
        }
    }

    private void openAhead(String origin, Opener opener) {
        Connection connection = null;
        try {
            connection = opener.open();
        } catch (IOException | RuntimeException e) {
            // the range that would have used it opens its own connection and reports what fails
        } finally {
            // One step from "on its way" to idle: between the two, a prepare() would count it nowhere and open one
            // connection too many.
            List<Connection> toClose = new ArrayList<>();
            synchronized (this) {
                opening.merge(origin, -1, (a, b) -> a + b == 0 ? null : a + b);
                if (connection != null) {
                    prepared++;
                    keep(origin, connection, toClose);
                }
            }
            toClose.forEach(ConnectionPool::closeQuietly);
        }
    }

    /** Connections opened ahead by {@link #prepare} (for tests and logs). */
    public synchronized long prepared() {
        return prepared;
    }

    /** A connection taken from the pool failed before its response head arrived; closes it. */
    public void failed(Connection connection) {
        synchronized (this) {
            failedReuses++;
        }
        closeQuietly(connection);
    }

    /** Connections that failed on reuse (the server had closed them, or they were not at a response boundary). */
    public synchronized long failedReuses() {
        return failedReuses;
    }

    /** Idle connections held now (for tests and logs). */
    public synchronized int idleCount() {
        int count = 0;
        for (ArrayDeque<Idle> queue : idle.values()) {
            count += queue.size();
        }
        return count;
    }

    private void evictExpired(long now, List<Connection> into) {
        for (Iterator<ArrayDeque<Idle>> queues = idle.values().iterator(); queues.hasNext(); ) {
            ArrayDeque<Idle> queue = queues.next();
            while (!queue.isEmpty() && now - queue.peekFirst().since() >= maxIdleNanos) {
                into.add(queue.pollFirst().connection());
            }
            if (queue.isEmpty()) {
                queues.remove();
            }
        }
    }

    @Override
    public void close() {
        List<Connection> toClose = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (ArrayDeque<Idle> queue : idle.values()) {
                queue.forEach(entry -> toClose.add(entry.connection()));
            }
            idle.clear();
        }
        toClose.forEach(ConnectionPool::closeQuietly);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (IOException e) {
            // an idle connection nobody waits on: nothing to report
        }
    }
}
