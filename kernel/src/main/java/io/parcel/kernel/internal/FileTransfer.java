package io.parcel.kernel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.parcel.kernel.DownloadItem;
import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;
import io.parcel.spi.ByteRange;
import io.parcel.spi.Described;
import io.parcel.spi.Destination;
import io.parcel.spi.ExitCode;
import io.parcel.spi.ParcelException;
import io.parcel.spi.Resource;
import io.parcel.spi.Sink;
import io.parcel.spi.Source;
import io.parcel.spi.TransferException;

import static java.util.Objects.requireNonNull;

/**
 * One file of a download, from describing it to committing it: describe, merge what the manifest knows, open the
 * destination, skip it when complete, fetch what the journal does not hold with parallel connections, commit.
 * {@link #run()} runs once, on a thread of the download; {@link #status()} and {@link #cancel()} from any thread.
 */
final class FileTransfer {
    /** The file failed on the user's input (a bad URL, a file that exists and differs), not on a transfer. */
    private boolean usageFailure; // guarded by this
    private static final System.Logger LOG = System.getLogger(FileTransfer.class.getName());
    /**
     * Written ranges wait up to this long to be recorded together (sooner when half the backlog is reached): on a
     * fast link one force then covers many MiB of every connection instead of 4 MiB of one.
     */
    private static final long RECORD_BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final int index;
    private final DownloadItem item;
    private final DownloadSettings settings;
    private final PipelineTuning tuning;
    private final Source source;
    private final Sink sink;
    private final RateLimiter limiter;
    private final Clock clock;
    private final StopSignal stop = new StopSignal();

    // Status, guarded by this.
    private String name;
    private Optional<String> location = Optional.empty();
    private long size = Resource.UNKNOWN_SIZE;
    private long doneBytes;
    private long transferredBytes;
    private int activeConnections;
    private FileState state = FileState.PENDING;
    private Instant started;
    private Instant ended;
    private String error;
    /** While describing: why the last attempt failed, and when the next starts (see {@link FileStatus#retrying}). */
    private String retrying;
    /** While running: the same for each connection whose range waits to be tried again, the latest last. */
    private final SequencedMap<SegmentWorker, String> rangeRetries = new LinkedHashMap<>();
    /** Failed attempts tried again, describe and ranges (see {@link FileStatus#retries}). */
    private int retries;
    private Throwable failure;
    private boolean cancelled;

    FileTransfer(int index, DownloadItem item, DownloadSettings settings, PipelineTuning tuning, Source source, Sink sink,
                 RateLimiter limiter, Clock clock) {
        this.index = index;
        this.item = requireNonNull(item, "item is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.tuning = requireNonNull(tuning, "tuning is null");
        this.source = requireNonNull(source, "source is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.limiter = limiter;
        this.clock = requireNonNull(clock, "clock is null");
        this.name = item.locator();
    }

    synchronized FileStatus status() {
        Duration elapsed = started == null ? Duration.ZERO : Duration.between(started, ended == null ? clock.instant() : ended);
        return new FileStatus(item.locator(), name, location, size, doneBytes, transferredBytes, activeConnections,
                state, elapsed.isNegative() ? Duration.ZERO : elapsed, Optional.ofNullable(error),
                Optional.ofNullable(switch (state) {
                    case DESCRIBING -> retrying;
                    case RUNNING -> rangeRetries.isEmpty() ? null : rangeRetries.lastEntry().getValue();
                    default -> null;
                }), retries);
    }

    /** Stops the file's connections; a file not yet started will not start. */
    void cancel() {
        synchronized (this) {
            cancelled = true;
        }
        stop.stop();
    }

    /** Marks a file that never started as failed by cancellation. */
    synchronized void cancelIfPending() {
        if (state == FileState.PENDING) {
            started = clock.instant();
            finish(FileState.FAILED, "cancelled before it started");
        }
    }

    /** Runs the file with connections of its own (see {@link #run(ConnectionLease)}). */
    void run() {
        run(ConnectionLease.unshared());
    }

    /**
     * Describes, fetches and commits the file, with connections from {@code lease}: it holds the describe's, the
     * ranges take more as they come free, and each goes back as its connection ends. The caller gives back what is
     * left when this returns.
     */
    void run(ConnectionLease lease) {
        requireNonNull(lease, "lease is null");
        synchronized (this) {
            if (state != FileState.PENDING) {
                return;
            }
            started = clock.instant();
            if (cancelled) {
                finish(FileState.FAILED, "cancelled before it started");
                return;
            }
            state = FileState.DESCRIBING;
        }
        Destination destination = null;
        // The first bytes that came with the description, until a connection takes them.
        InputStream firstBytes = null;
        try {
            Described described = describe(lease);
            firstBytes = described.firstBytes().orElse(null);
            Resource resource = merge(described.resource());
            synchronized (this) {
                name = resource.name();
                size = resource.size();
            }
            destination = sink.open(resource);
            String where = destination.location();
            synchronized (this) {
                location = Optional.ofNullable(where);
            }
            if (destination.alreadyComplete()) {
                synchronized (this) {
                    doneBytes = Math.max(0, resource.size());
                    finish(FileState.SKIPPED, null);
                }
                return;
            }
            List<ByteRange> remaining = remaining(resource, destination.doneRanges());
            synchronized (this) {
                state = FileState.RUNNING;
            }
            InputStream given = firstBytes;
            firstBytes = null;
            fetch(resource, destination, remaining, given, lease);
            synchronized (this) {
                state = FileState.VERIFYING;
            }
            destination.commit();
            synchronized (this) {
                finish(FileState.DONE, null);
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            String reason = reasonOf(e);
            LOG.log(System.Logger.Level.DEBUG, "{0}: failed: {1}", item.locator(), reason);
            synchronized (this) {
                usageFailure = e instanceof ParcelException failure && failure.exitCode() == ExitCode.USAGE;
                finish(FileState.FAILED, reason);
            }
        } finally {
            if (firstBytes != null) {
                StopSignal.closeQuietly(firstBytes);
            }
            if (destination != null) {
                StopSignal.closeQuietly(destination);
            }
        }
    }

    /** True when the file failed because of the user's input rather than a transfer (see {@link ExitCode#USAGE}). */
    synchronized boolean failedOnUsage() {
        return state == FileState.FAILED && usageFailure;
    }

    private String reasonOf(Throwable error) {
        synchronized (this) {
            if (cancelled) {
                return "cancelled";
            }
        }
        return Errors.reason(error);
    }

    private void finish(FileState finalState, String reason) {
        state = finalState;
        error = reason;
        ended = clock.instant();
    }

    /**
     * Describes the file, asking for its first {@link PipelineTuning#minSplit()} bytes in the same request: a file no
     * larger gets one connection (see {@link #connectionsFor}), so it comes whole with its description, one round trip
     * sooner; a larger one starts its first connection that much sooner. Not when the sink may hold the file already
     * (by the manifest's name, or the one the source expects): a skip or a resume would drop those bytes, and the
     * connection they came on with them.
     */
    private Described describe(ConnectionLease lease) throws IOException {
        prepareConnections(lease);
        long firstBytes = mayBeStoredAlready() ? 0 : tuning.minSplit();
        int attempts = 0;
        while (true) {
            try {
                Described described = source.describeAndOpen(item.locator(), firstBytes);
                return requireNonNull(described, "source described " + item.locator() + " as null");
            } catch (IOException e) {
                boolean retryable = e instanceof ParcelException parcel ? parcel.retryable() : true;
                attempts++;
                if (!retryable || attempts > settings.retries() || stop.isStopped()) {
                    throw e;
                }
                long backoffNanos = tuning.backoffNanos(attempts, ThreadLocalRandom.current().nextDouble());
                String reason = reasonOf(e);
                synchronized (this) {
                    retrying = Errors.retryNotice(attempts, settings.retries() + 1, reason, backoffNanos);
                    retries++;
                }
                if (!stop.sleep(backoffNanos)) {
                    throw e;
                }
            }
        }
    }

    private boolean mayBeStoredAlready() {
        try {
            Optional<String> name = item.name().isPresent() ? item.name() : source.likelyName(item.locator());
            return name.isPresent() && sink.mayHold(name.get());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: looking for an earlier copy failed: {1}", item.locator(),
                    Errors.describe(e));
            return true;
        }
    }

    /**
     * Lets the source open the range connections while the describe runs: as many as the ranges will use besides
     * the describe's own connection (which carries the first bytes, or else the first range), fewer for a file the
     * manifest says is small, and no more than are free when files share connections. A hint only; a source that
     * fails at it does not fail the file.
     */
    private void prepareConnections(ConnectionLease lease) {
        int wanted = item.size().isPresent() ? connectionsFor(item.size().get()) : settings.connections();
        wanted = (int) Math.min(wanted, 1L + lease.available());
        try {
            source.prepareConnections(item.locator(), wanted - 1);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: preparing connections failed: {1}", item.locator(),
                    Errors.describe(e));
        }
    }

    /** What the user knows (manifest) overrides what the source says, except a size that disagrees: that fails. */
    private Resource merge(Resource described) throws IOException {
        Resource resource = described;
        if (item.name().isPresent()) {
            resource = resource.withName(item.name().get());
        }
        if (item.md5().isPresent()) {
            resource = resource.withMd5(item.md5().get().trim().toLowerCase(Locale.ROOT));
        }
        if (item.size().isPresent()) {
            long expected = item.size().get();
            if (resource.sizeKnown() && resource.size() != expected) {
                throw new TransferException("size mismatch: the manifest says " + expected
                        + " bytes, the source says " + resource.size() + " bytes", false);
            }
            if (!resource.sizeKnown()) {
                resource = new Resource(resource.locator(), resource.uri(), resource.name(), expected, resource.md5(),
                        resource.rangeSupported(), resource.validator());
            }
        }
        return resource;
    }

    /** {@code [0, size)} (or to the end, when the size is unknown) minus what the journal holds. */
    private List<ByteRange> remaining(Resource resource, List<ByteRange> done) {
        long end = resource.sizeKnown() ? resource.size() : Long.MAX_VALUE;
        List<ByteRange> sorted = new ArrayList<>(done);
        sorted.sort(null);
        List<ByteRange> result = new ArrayList<>();
        long cursor = 0;
        long alreadyDone = 0;
        for (ByteRange range : sorted) {
            long start = Math.max(range.start(), cursor);
            long stop = Math.min(range.end(), end);
            if (start >= stop) {
                continue;
            }
            if (start > cursor) {
                result.add(new ByteRange(cursor, start));
            }
            alreadyDone += stop - start;
            cursor = stop;
        }
        if (cursor < end) {
            result.add(new ByteRange(cursor, end));
        }
        synchronized (this) {
            doneBytes = alreadyDone;
        }
        return result;
    }

    /**
     * Fetches {@code remaining} with parallel connections; the first of them starts on {@code firstBytes} (the first
     * {@code min(minSplit, size)} bytes, or null), which this method owns and closes when no connection can use it.
     */
    private void fetch(Resource resource, Destination destination, List<ByteRange> remaining, InputStream firstBytes,
                       ConnectionLease lease) throws IOException {
        boolean singleStream = !resource.rangeSupported() || !resource.sizeKnown();
        long totalRemaining = 0;
        for (ByteRange range : remaining) {
            totalRemaining = saturatedAdd(totalRemaining, range.length());
        }
        int workers = singleStream ? 1 : connectionsFor(totalRemaining);
        SegmentScheduler scheduler = new SegmentScheduler(remaining,
                singleStream ? Long.MAX_VALUE : settings.segmentSizeFor(totalRemaining, workers),
                singleStream ? Long.MAX_VALUE : tuning.minSplit(), 64 << 10, System::nanoTime);
        if (remaining.isEmpty()) {
            workers = 0;
        }
        // The describe's connection, and what else is free now; the rest as connections come free (superviseAndRecord)
        int starting = workers == 0 ? 0 : 1 + lease.take(workers - 1);
        Optional<SegmentScheduler.Segment> firstSegment = Optional.empty();
        if (firstBytes != null) {
            if (!singleStream && workers > 0) {
                firstSegment = scheduler.assign(new ByteRange(0, Math.min(tuning.minSplit(), resource.size())));
            }
            if (firstSegment.isEmpty()) {
                StopSignal.closeQuietly(firstBytes);
            }
        }
        // A crash loses at most about two mark intervals per connection beyond what is in flight.
        long backlogLimit = Math.max(1, workers) * 2 * tuning.markInterval();
        String threadPrefix = "parcel-download-" + threadSafeName(resource.name()) + "-";
        ProgressRecorder recorder = new ProgressRecorder(destination, stop, backlogLimit,
                settings.ioTimeout().isZero() ? Long.MAX_VALUE : settings.ioTimeout().toNanos(), this::addDone,
                Math.max(1, workers), threadPrefix + "recorder-", RECORD_BATCH_NANOS);
        Job job = new Job(resource, destination, scheduler, recorder, singleStream);
        Crew crew = new Crew(job, lease, workers, threadPrefix);
        try (recorder) {
            for (int i = 0; i < starting; i++) {
                crew.start(i == 0 && firstSegment.isPresent()
                        ? new SegmentWorker(job, firstSegment.get(), firstBytes) : new SegmentWorker(job));
            }
            superviseAndRecord(crew);
        } catch (InterruptedException e) {
            // Only closing the recorder waits here; the file's work is over by then.
            Thread.currentThread().interrupt();
        }
        Throwable cause;
        synchronized (this) {
            cause = failure;
            if (cancelled && cause == null) {
                throw new TransferException("cancelled", false);
            }
        }
        if (cause instanceof IOException io) {
            throw io;
        }
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        if (!scheduler.isFinished()) {
            throw new IllegalStateException("connections stopped with " + scheduler.unreceived() + " not received");
        }
        if (!resource.sizeKnown()) {
            synchronized (this) {
                size = doneBytes;
            }
        }
    }

    /**
     * A file's connections: started with what was free, grown on the file's thread as connections come free while
     * the ranges could use another (see {@link ConnectionLease}). Each connection gives its lease back as it ends.
     */
    private final class Crew {
        /** How often a file that could use another connection looks for a free one. */
        static final long HUNGRY_CHECK_MILLIS = 10;

        private final Job job;
        private final ConnectionLease lease;
        private final int target;
        private final String threadPrefix;
        private final List<Thread> threads = new ArrayList<>();
        private final List<SegmentWorker> workers = new ArrayList<>();

        Crew(Job job, ConnectionLease lease, int target, String threadPrefix) {
            this.job = job;
            this.lease = lease;
            this.target = target;
            this.threadPrefix = threadPrefix;
        }

        void start(SegmentWorker worker) {
            workers.add(worker);
            threads.add(Thread.ofPlatform().name(threadPrefix + workers.size()).daemon(true).start(() -> {
                try {
                    worker.run();
                } finally {
                    lease.releaseOne();
                }
            }));
        }

        /** Starts connections for what is free, up to the target, while the ranges could use one; true if hungry. */
        boolean growIfUseful() {
            if (!lease.shared()) {
                return false; // it had every connection from the start
            }
            long running = workers.stream().filter(worker -> !worker.ended()).count();
            boolean useful = running < target && !stop.isStopped() && job.scheduler().couldUseAnotherWorker();
            if (useful) {
                int taken = lease.take((int) (target - running));
                for (int i = 0; i < taken; i++) {
                    start(new SegmentWorker(job));
                }
                useful = running + taken < target;
            }
            lease.hungry(useful);
            return useful;
        }
    }

    /**
     * Runs on the file's thread while its connections work: records what they wrote (see {@link ProgressRecorder}),
     * closes a stream whose read hangs, and returns once every connection ended and everything posted is recorded.
     */
    private void superviseAndRecord(Crew crew) {
        Job job = crew.job;
        List<Thread> threads = crew.threads;
        List<SegmentWorker> workers = crew.workers;
        // Workers end on their own: every read is bounded by the source's timeout and every wait by the stop signal.
        // The watchdog and the bound here only guard against a plugin that breaks that promise.
        long graceNanos = settings.ioTimeout().plus(settings.connectTimeout()).plusSeconds(30).toNanos();
        long stallLimitNanos = settings.ioTimeout().multipliedBy(2).toNanos();
        long checkMillis = Math.max(10, Math.min(1000, settings.ioTimeout().toMillis() / 4));
        boolean interrupted = false;
        long stoppedSince = 0;
        // Not Thread.isAlive: a connection wakes this thread as it ends, a moment before its thread is gone, and a
        // check that still saw it alive waited another checkMillis (1 s by default) for a wake that had come already.
        // One 1 GiB download in three at RTT 50 ms ended that much late.
        while (workers.stream().anyMatch(worker -> !worker.ended())) {
            long now = System.nanoTime();
            workers.forEach(worker -> worker.closeIfStalled(now, stallLimitNanos));
            boolean hungry = crew.growIfUseful();
            try {
                job.recorder().recordPending(hungry ? Crew.HUNGRY_CHECK_MILLIS : checkMillis);
            } catch (InterruptedException e) {
                interrupted = true;
                stop.stop();
            } catch (IOException | RuntimeException e) {
                job.fail(e);
            }
            if (stop.isStopped()) {
                if (stoppedSince == 0) {
                    stoppedSince = System.nanoTime();
                } else if (System.nanoTime() - stoppedSince > graceNanos) {
                    threads.stream().filter(Thread::isAlive).forEach(thread -> LOG.log(System.Logger.Level.WARNING,
                            "{0} did not stop within {1} s; leaving it behind", thread.getName(),
                            TimeUnit.NANOSECONDS.toSeconds(graceNanos)));
                    break;
                }
            }
        }
        // The last round: what the connections posted before they ended, also after a failure (for a resume).
        try {
            job.recorder().recordPending(0);
        } catch (InterruptedException e) {
            interrupted = true;
        } catch (IOException | RuntimeException e) {
            job.fail(e);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void addDone(long bytes) {
        doneBytes += bytes;
    }

    /** Connections for {@code bytes} of ranges: at most the option, one per minimum split, at least one. */
    private int connectionsFor(long bytes) {
        return (int) Math.min(settings.connections(), Math.max(1, ceilDiv(bytes, tuning.minSplit())));
    }

    private static long ceilDiv(long value, long divisor) {
        return value / divisor + (value % divisor == 0 ? 0 : 1);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static String threadSafeName(String fileName) {
        String cleaned = fileName.replaceAll("[^A-Za-z0-9._-]", "_");
        return cleaned.length() > 40 ? cleaned.substring(0, 40) : cleaned;
    }

    /** What a file's workers share. */
    final class Job {
        private final Resource resource;
        private final Destination destination;
        private final SegmentScheduler scheduler;
        private final ProgressRecorder recorder;
        private final boolean singleStream;

        private Job(Resource resource, Destination destination, SegmentScheduler scheduler, ProgressRecorder recorder,
                    boolean singleStream) {
            this.resource = resource;
            this.destination = destination;
            this.scheduler = scheduler;
            this.recorder = recorder;
            this.singleStream = singleStream;
        }

        ProgressRecorder recorder() {
            return recorder;
        }

        /** A connection ended: the file's thread looks at once whether it was the last. */
        void workerEnded() {
            recorder.wake();
        }

        Resource resource() {
            return resource;
        }

        Destination destination() {
            return destination;
        }

        SegmentScheduler scheduler() {
            return scheduler;
        }

        /** One stream from the start serves the whole file (no range support, or unknown size). */
        boolean singleStream() {
            return singleStream;
        }

        Source source() {
            return source;
        }

        StopSignal stop() {
            return stop;
        }

        RateLimiter limiter() {
            return limiter;
        }

        PipelineTuning tuning() {
            return tuning;
        }

        int retries() {
            return settings.retries();
        }

        String name() {
            return resource.name();
        }

        /** The first failure decides; the file's other connections stop. */
        void fail(Throwable error) {
            synchronized (FileTransfer.this) {
                if (failure == null && !cancelled) {
                    failure = error;
                }
            }
            scheduler.abort();
            stop.stop();
            recorder.wake();
        }

        void received(long bytes) {
            synchronized (FileTransfer.this) {
                transferredBytes += bytes;
            }
        }

        /** {@code worker}'s range failed and waits to be tried again: {@link FileStatus#retrying} says so. */
        void retrying(SegmentWorker worker, String why) {
            synchronized (FileTransfer.this) {
                rangeRetries.putLast(worker, why);
                retries++;
            }
        }

        /** {@code worker} has a stream again, or has ended: it is no longer retrying. */
        void notRetrying(SegmentWorker worker) {
            synchronized (FileTransfer.this) {
                rangeRetries.remove(worker);
            }
        }

        void connectionOpened() {
            synchronized (FileTransfer.this) {
                activeConnections++;
            }
        }

        void connectionClosed() {
            synchronized (FileTransfer.this) {
                activeConnections--;
            }
        }
    }

    int index() {
        return index;
    }
}
