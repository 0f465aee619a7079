package io.parcel.kernel.internal;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * One file's share of a download's connections, when its files share them (see {@link RunningDownload}): the file
 * starts with the connection its description takes, takes more while its ranges could use them, and gives each back
 * as that connection ends. A file that could use more than it holds is hungry, and while any file is, the download
 * starts no further file: the connections that come free go to the files already running, in place of new ones.
 * Nothing here blocks a file, so files never wait for each other's connections.
 */
final class ConnectionLease {
    private static final long WAIT_STEP_MILLIS = 10;

    private final Budget budget;
    private final AtomicInteger held;
    private boolean hungry; // guarded by this

    private ConnectionLease(Budget budget, int held) {
        this.budget = budget;
        this.held = new AtomicInteger(held);
    }

    /** For a file that shares no connections: takes whatever it asks for, holds nothing. */
    static ConnectionLease unshared() {
        return new ConnectionLease(null, 0);
    }

    /** The connections a download's files share, and the files among them that could use more. */
    static final class Budget {
        private final Semaphore free;
        private final AtomicInteger hungryFiles = new AtomicInteger();

        Budget(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("connections must be positive: " + connections);
            }
            this.free = new Semaphore(connections);
        }

        /**
         * Waits until no file is hungry and a connection is free, and returns a lease holding it for the next file;
         * empty once {@code stopped} says so. Files end within their timeouts, so the wait is bounded.
         */
        Optional<ConnectionLease> nextFile(BooleanSupplier stopped) throws InterruptedException {
            while (!stopped.getAsBoolean()) {
                if (hungryFiles.get() > 0) {
                    Thread.sleep(WAIT_STEP_MILLIS);
                } else if (free.tryAcquire(WAIT_STEP_MILLIS, TimeUnit.MILLISECONDS)) {
                    return Optional.of(new ConnectionLease(this, 1));
                }
            }
            return Optional.empty();
        }

        /** Connections free now. */
        int available() {
            return free.availablePermits();
        }
    }

    /** Whether the file shares its download's connections (else {@link #take} gives whatever it asks for). */
    boolean shared() {
        return budget != null;
    }

    /** Takes up to {@code more} connections that are free now, without waiting; returns how many it took. */
    int take(int more) {
        if (budget == null) {
            return Math.max(0, more);
        }
        int taken = 0;
        while (taken < more && budget.free.tryAcquire()) {
            taken++;
        }
        held.addAndGet(taken);
        return taken;
    }

    /** Whether the file could use more connections than it holds (see the class comment). */
    synchronized void hungry(boolean hungry) {
        if (budget != null && hungry != this.hungry) {
            this.hungry = hungry;
            budget.hungryFiles.addAndGet(hungry ? 1 : -1);
        }
    }

    /** Connections free now: how many a file may prepare ahead. */
    int available() {
        return budget == null ? Integer.MAX_VALUE : budget.available();
    }

    /** Gives one connection back: a range connection ended. */
    void releaseOne() {
        if (budget != null && held.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            budget.free.release();
        }
    }

    /** Gives back what is still held, and is no longer hungry: the file ended. */
    void releaseAll() {
        hungry(false);
        if (budget != null) {
            int rest = held.getAndSet(0);
            if (rest > 0) {
                budget.free.release(rest);
            }
        }
    }
}
