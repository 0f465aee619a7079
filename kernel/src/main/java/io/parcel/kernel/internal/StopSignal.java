package io.parcel.kernel.internal;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Tells the threads of one file to stop, promptly: waits (backoff, rate limit) end at once, and the streams they
 * registered are closed under them, which ends blocked reads. Threads are never interrupted, because an interrupt
 * closes any NIO channel the thread touches (the sink's file among them).
 */
final class StopSignal {
    private static final System.Logger LOG = System.getLogger(StopSignal.class.getName());

    private final Set<Closeable> registered = new LinkedHashSet<>();
    private boolean stopped;

    synchronized boolean isStopped() {
        return stopped;
    }

    /** Stops; idempotent. Closes every registered stream, outside the lock. */
    void stop() {
        List<Closeable> toClose;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            notifyAll();
            toClose = new ArrayList<>(registered);
            registered.clear();
        }
        for (Closeable closeable : toClose) {
            closeQuietly(closeable);
        }
    }

    /** Registers a stream to close on stop; when already stopped, closes it now and returns false. */
    boolean register(Closeable closeable) {
        synchronized (this) {
            if (!stopped) {
                registered.add(closeable);
                return true;
            }
        }
        closeQuietly(closeable);
        return false;
    }

    synchronized void unregister(Closeable closeable) {
        registered.remove(closeable);
    }

    /** Waits {@code nanos} or until stopped; returns false when stopped. */
    synchronized boolean sleep(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (!stopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            try {
                wait(Math.max(1, left / 1_000_000), 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + closeable + " failed", e);
        }
    }
}
