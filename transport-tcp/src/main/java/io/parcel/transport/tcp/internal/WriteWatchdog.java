package io.parcel.transport.tcp.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Bounds blocking writes, which plain sockets cannot: a TCP write to a peer that stopped reading blocks forever.
 * Each {@link Watched} connection reports when its current write began; one daemon thread per transport looks
 * every {@code timeout / 4} (at most once a second) and aborts a connection whose write has been blocked longer
 * than the timeout. The thread starts with the first watched connection and ends on {@link #close()}.
 */
public final class WriteWatchdog implements AutoCloseable {
    /** A connection whose writes are watched. */
    public interface Watched {
        /** {@link System#nanoTime()} when the write in progress began, or 0 when none is. */
        long writeStartedNanos();

        /** Ends the connection because a write made no progress for {@code timeout}; must not block. */
        void abortStalledWrite(Duration timeout);
    }

    private final Duration timeout;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    private final boolean background;
    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private Thread thread;
    private boolean closed;

    public WriteWatchdog(Duration timeout, LongSupplier nanoClock) {
        this(timeout, nanoClock, true);
    }

    /** @param background false for tests that step {@link #check()} by hand */
    WriteWatchdog(Duration timeout, LongSupplier nanoClock, boolean background) {
        this.background = background;
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        this.timeoutNanos = timeout.toNanos();
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /** Starts watching {@code connection} (and the watchdog thread, on first use). */
    public void watch(Watched connection) {
        requireNonNull(connection, "connection is null");
        synchronized (lock) {
            if (closed) {
                return; // the transport is closed; its connections go unwatched rather than failing
            }
            watched.add(connection);
            if (thread == null && background) {
                thread = Thread.ofPlatform().daemon().name("parcel-tcp-write-watchdog").unstarted(this::run);
                thread.start();
            }
        }
    }

    public void unwatch(Watched connection) {
        watched.remove(connection);
    }

    /** Aborts every watched connection whose write began more than the timeout ago; returns how many. */
    int check() {
        long now = nanoClock.getAsLong();
        int aborted = 0;
        for (Watched connection : watched) {
            long started = connection.writeStartedNanos();
            if (started != 0 && now - started > timeoutNanos) {
                watched.remove(connection);
                connection.abortStalledWrite(timeout);
                aborted++;
            }
        }
        return aborted;
    }

    int watchedCount() {
        return watched.size();
    }

    private void run() {
        long periodMillis = Math.max(10, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4));
        while (true) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                try {
                    lock.wait(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
                if (closed) {
                    return;
                }
            }
            // Outside the lock: aborting closes sockets, and watch() must not wait for that.
            check();
        }
    }

    /** Stops the thread (bounded wait); connections still open stay open but are no longer watched. */
    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            closed = true;
            running = thread;
            lock.notifyAll();
        }
        watched.clear();
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
