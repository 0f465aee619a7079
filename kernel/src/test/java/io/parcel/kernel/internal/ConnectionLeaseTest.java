package io.parcel.kernel.internal;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionLeaseTest {
    private final AtomicBoolean stopped = new AtomicBoolean();

    private ConnectionLease next(ConnectionLease.Budget budget) throws InterruptedException {
        return budget.nextFile(stopped::get).orElseThrow();
    }

    @Test
    void takingNeverWaitsAndEveryConnectionGoesBack() throws Exception {
        ConnectionLease.Budget budget = new ConnectionLease.Budget(3);
        ConnectionLease lease = next(budget);

        assertEquals(2, lease.take(5), "only what is free");
        assertEquals(0, budget.available());
        lease.releaseOne();
        assertEquals(1, budget.available());
        lease.releaseAll();
        lease.releaseOne(); // nothing left to give back
        assertEquals(3, budget.available());
    }

    @Test
    void noFileStartsWhileARunningOneCouldUseTheFreeConnection() throws Exception {
        ConnectionLease.Budget budget = new ConnectionLease.Budget(2);
        ConnectionLease running = next(budget);
        running.hungry(true);

        CompletableFuture<ConnectionLease> nextFile = CompletableFuture.supplyAsync(() -> {
            try {
                return next(budget);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThrows(TimeoutException.class, () -> nextFile.get(200, TimeUnit.MILLISECONDS),
                "a file started although the running one was hungry");
        assertEquals(1, running.take(1), "the free connection went to the running file");
        running.hungry(false);
        running.releaseOne();

        assertTrue(nextFile.get(5, TimeUnit.SECONDS) != null);
        assertEquals(0, budget.available());
    }

    @Test
    void waitingForTheNextFileEndsWhenTheDownloadStops() throws Exception {
        ConnectionLease.Budget budget = new ConnectionLease.Budget(1);
        next(budget);

        CompletableFuture<Optional<ConnectionLease>> nextFile = CompletableFuture.supplyAsync(() -> {
            try {
                return budget.nextFile(stopped::get);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        stopped.set(true);

        assertFalse(nextFile.get(5, TimeUnit.SECONDS).isPresent());
    }

    @Test
    void anUnsharedLeaseTakesWhateverItAsksFor() {
        ConnectionLease lease = ConnectionLease.unshared();

        assertFalse(lease.shared());
        assertEquals(7, lease.take(7));
        assertEquals(Integer.MAX_VALUE, lease.available());
        lease.hungry(true);
        lease.releaseAll();
    }
}
