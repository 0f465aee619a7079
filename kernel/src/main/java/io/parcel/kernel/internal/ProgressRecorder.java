package io.parcel.kernel.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Destination;
import io.parcel.spi.TransferException;

import static java.util.Objects.requireNonNull;

/**
 * Records one file's written ranges durably ({@link Destination#markDone}) on the file's own thread, so that a
 * connection never waits for the disk to force its data: it {@link #post posts} what it wrote and reads on, while
 * the file's thread {@link #recordPending records} everything posted since its last round, adjacent ranges merged.
 * A slow disk thus costs a few batched forces instead of one stalled connection per force.
 *
 * <p>What a crash may lose stays bounded: a connection that posts while more than {@code backlogLimit} bytes wait
 * to be recorded waits for the recorder (up to {@code stallLimitNanos}, then the file fails), so at most the
 * backlog plus each connection's range in flight is ever written but not recorded.
 *
 * <p>The ranges of one round are recorded in parallel (one per connection at most), so that a destination that
 * groups its forces and syncs, as the file sink does, serves the whole round with one of each: on the same
 * thread one after the other, each would wait for its own.
 *
 * <p>Threads: {@link #post} from the connections; {@link #recordPending} and {@link #close} from one thread only,
 * the file's. Owns a small pool of threads for the parallel rounds, started on first use, ended by close.
 */
final class ProgressRecorder implements AutoCloseable {
    private final Destination destination;
    private final StopSignal stop;
    private final long backlogLimit;
    private final long stallLimitNanos;
    private final LongConsumer recorded;
    private final int parallelism;
    private final String threadName;
    private final long batchNanos;
    private ExecutorService pool;

    // Guarded by this.
    private List<ByteRange> posted = new ArrayList<>();
    /** When the oldest range in {@link #posted} was posted. */
    private long firstPostedNanos;
    /** Bytes posted and not recorded yet, including those being recorded right now. */
    private long backlog;
    private boolean woken;
    /** A connection finished a range: record the batch now rather than at its deadline (see {@link #post}). */
    private boolean urgent;
    private boolean failed;

    /**
     * @param backlogLimit    bytes posted but not yet recorded beyond which a connection waits before posting more
     * @param stallLimitNanos longest a connection waits for the recorder before the file fails
     * @param recorded        told the number of bytes each time ranges were recorded (progress)
     */
    ProgressRecorder(Destination destination, StopSignal stop, long backlogLimit, long stallLimitNanos,
                     LongConsumer recorded) {
        this(destination, stop, backlogLimit, stallLimitNanos, recorded, 1, "parcel-recorder", 0);
    }

    /**
     * @param parallelism most ranges recorded at once (the number of connections)
     * @param threadName  prefix of the pool's thread names
     * @param batchNanos  how long posted ranges may wait to be recorded together, unless half the backlog limit
     *                    is reached sooner: fewer, larger forces
     */
    ProgressRecorder(Destination destination, StopSignal stop, long backlogLimit, long stallLimitNanos,
                     LongConsumer recorded, int parallelism, String threadName, long batchNanos) {
        this.destination = requireNonNull(destination, "destination is null");
        this.stop = requireNonNull(stop, "stop is null");
        if (backlogLimit <= 0 || stallLimitNanos <= 0) {
            throw new IllegalArgumentException("backlogLimit and stallLimitNanos must be positive");
        }
        this.backlogLimit = backlogLimit;
        this.stallLimitNanos = stallLimitNanos;
        this.recorded = requireNonNull(recorded, "recorded is null");
        if (parallelism <= 0) {
            throw new IllegalArgumentException("parallelism must be positive: " + parallelism);
        }
        this.parallelism = parallelism;
        this.threadName = requireNonNull(threadName, "threadName is null");
        if (batchNanos < 0) {
            throw new IllegalArgumentException("batchNanos must not be negative: " + batchNanos);
        }
        this.batchNanos = batchNanos;
    }

    /**
     * Hands a written range over for recording. Never drops it: also when the file stopped, it is recorded on the
     * recorder's last round, so a resume does not fetch it again. Waits first while the backlog is over its limit
     * and the file runs.
     *
     * @throws TransferException when the recorder made no room for {@code stallLimitNanos}: the disk stopped
     *                           making progress
     */
    void post(ByteRange range) throws TransferException {
        post(range, false);
    }

    /**
     * As {@link #post(ByteRange)}; {@code rangeFinished} says the connection wrote the last byte of its range and
     * moves on to another. That batch is then recorded at once instead of at its deadline: a kill -9 must cost a
     * resume at most the ranges that were in flight, and a finished range no longer is (only the journal append
     * stands between it and the journal; the connection itself still does not wait).
     */
    void post(ByteRange range, boolean rangeFinished) throws TransferException {
        requireNonNull(range, "range is null");
        synchronized (this) {
            long deadline = System.nanoTime() + stallLimitNanos;
            while (backlog >= backlogLimit && !failed && !stop.isStopped()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TransferException("recording progress made no headway for "
                            + TimeUnit.NANOSECONDS.toSeconds(stallLimitNanos) + " s (" + backlog
                            + " bytes written but not yet recorded): the disk stopped keeping up", false);
                }
                try {
                    // Bounded, so a stop that did not wake us is still seen.
                    wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (failed) {
                // Recording broke; the file fails and nothing more will be recorded.
                return;
            }
            if (posted.isEmpty()) {
                firstPostedNanos = System.nanoTime();
            }
            posted.add(range);
            backlog += range.length();
            urgent |= rangeFinished;
            // Wake the recorder when a batch starts (it sets its deadline), when it is full, or when it is urgent.
            if (posted.size() == 1 || batchFull() || rangeFinished) {
                notifyAll();
            }
        }
    }

    /** Makes a waiting {@link #recordPending} return (a connection ended, the file stopped). */
    synchronized void wake() {
        woken = true;
        notifyAll();
    }

    private boolean batchFull() {
        return backlog >= backlogLimit / 2;
    }

    /**
     * Waits up to {@code waitMillis} for a batch (posted ranges that waited {@code batchNanos}, or half the backlog
     * limit of them) or a {@link #wake}, then records all that were posted, merged, in order. Called by the file's
     * thread only; {@code recordPending(0)} records whatever is there at once.
     *
     * @return the number of ranges recorded (after merging)
     * @throws IOException when the destination failed to record; the ranges of this round are then dropped and
     *                     later posts are ignored, as the file fails
     */
    int recordPending(long waitMillis) throws IOException, InterruptedException {
        List<ByteRange> batch;
        synchronized (this) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (!woken && !failed) {
                long until = deadline;
                if (!posted.isEmpty()) {
                    if (batchFull() || urgent) {
                        break;
                    }
                    until = Math.min(until, firstPostedNanos + batchNanos);
                }
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            woken = false;
            urgent = false;
            if (posted.isEmpty() || failed) {
                return 0;
            }
            batch = posted;
            posted = new ArrayList<>();
        }
        long batchBytes = 0;
        for (ByteRange range : batch) {
            batchBytes += range.length();
        }
        List<ByteRange> merged = merge(batch);
        long done;
        try {
            // On failure, record() reports what it did record before it throws.
            done = record(merged);
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                failed = true;
                backlog = 0;
                posted.clear();
                notifyAll();
            }
            throw e;
        }
        recorded.accept(done);
        synchronized (this) {
            backlog -= batchBytes;
            notifyAll();
        }
        return merged.size();
    }

    /** Records {@code ranges}, in parallel when there are several; returns the bytes recorded. */
    private long record(List<ByteRange> ranges) throws IOException, InterruptedException {
        if (ranges.size() == 1 || parallelism == 1) {
            long done = 0;
            try {
                for (ByteRange range : ranges) {
                    destination.markDone(range);
                    done += range.length();
                }
            } catch (IOException | RuntimeException e) {
                if (done > 0) {
                    recorded.accept(done);
                }
                throw e;
            }
            return done;
        }
        List<Callable<Long>> tasks = new ArrayList<>();
        for (ByteRange range : ranges) {
            tasks.add(() -> {
                destination.markDone(range);
                return range.length();
            });
        }
        List<Future<Long>> results = pool().invokeAll(tasks, stallLimitNanos, TimeUnit.NANOSECONDS);
        long done = 0;
        IOException failure = null;
        for (Future<Long> result : results) {
            try {
                done += result.get(0, TimeUnit.NANOSECONDS);
            } catch (CancellationException | TimeoutException e) {
                failure = addTo(failure, new TransferException("recording progress took longer than "
                        + TimeUnit.NANOSECONDS.toSeconds(stallLimitNanos) + " s: the disk stopped keeping up", false));
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime && failure == null) {
                    throw runtime;
                }
                failure = addTo(failure, cause instanceof IOException io ? io : new IOException(cause));
            }
        }
        if (failure != null) {
            if (done > 0) {
                recorded.accept(done);
            }
            throw failure;
        }
        return done;
    }

    private static IOException addTo(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        if (first != next) {
            first.addSuppressed(next);
        }
        return first;
    }

    private ExecutorService pool() {
        if (pool == null) {
            AtomicInteger count = new AtomicInteger();
            pool = Executors.newFixedThreadPool(parallelism, task -> Thread.ofPlatform()
                    .name(threadName + count.incrementAndGet()).daemon(true).unstarted(task));
        }
        return pool;
    }

    /** Ends the pool's threads; waits up to {@code stallLimitNanos} for a recording still under way. */
    @Override
    public void close() throws InterruptedException {
        if (pool != null) {
            pool.shutdown();
            pool.awaitTermination(stallLimitNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Sorted, with touching or overlapping ranges joined (connections post contiguous pieces of their segment). */
    static List<ByteRange> merge(List<ByteRange> ranges) {
        List<ByteRange> sorted = new ArrayList<>(ranges);
        sorted.sort(null);
        List<ByteRange> merged = new ArrayList<>();
        for (ByteRange range : sorted) {
            if (!merged.isEmpty() && merged.get(merged.size() - 1).end() >= range.start()) {
                ByteRange last = merged.remove(merged.size() - 1);
                merged.add(new ByteRange(last.start(), Math.max(last.end(), range.end())));
            } else {
                merged.add(range);
            }
        }
        return merged;
    }

    /** Bytes posted and not recorded yet. */
    synchronized long backlog() {
        return backlog;
    }
}
