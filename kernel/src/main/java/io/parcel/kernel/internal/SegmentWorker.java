package io.parcel.kernel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import io.parcel.kernel.internal.SegmentScheduler.Segment;
import io.parcel.spi.ByteRange;
import io.parcel.spi.ParcelException;
import io.parcel.spi.TransferException;

/**
 * One connection of one file: takes segments from the scheduler until none is left (asking again every 100 ms while
 * the scheduler's end game may still halve a slow one for it), reads each from the source into
 * a reused buffer and writes it to the destination at its offsets, handing what it wrote to the file's
 * {@link ProgressRecorder} every few MiB, every second on a slow link, and at each segment's end; the connection
 * never waits for the recording itself (a force to disk), only when the recorder falls too far behind.
 * Transient failures are retried with backoff from the first byte not yet received; a failure
 * that retrying cannot fix fails the whole file. Runs on its own thread; owns the stream it opened.
 */
final class SegmentWorker implements Runnable {
    private static final System.Logger LOG = System.getLogger(SegmentWorker.class.getName());
    private static final long IDLE_POLL_NANOS = 100_000_000L;

    private final FileTransfer.Job job;
    private final byte[] buffer;
    private final int readSize;
    private volatile InputStream stream;
    /** When the read in progress began ({@link System#nanoTime()}), or 0 when none is; read by the watchdog. */
    private volatile long readingSince;
    /** Offset in the resource of the next byte {@link #stream} gives. */
    private long streamPosition;
    /** Written bytes of the current segment not yet recorded durably start here. */
    private long unmarkedFrom;
    private long lastMarkNanos;
    private volatile boolean ended;
    /** A segment this worker starts with, and its stream (the first bytes that came with the description); or null. */
    private final Segment givenSegment;
    private final InputStream givenStream;

    SegmentWorker(FileTransfer.Job job) {
        this(job, null, null);
    }

    /**
     * A worker that starts with {@code segment}, for which it is handed {@code stream} (exactly the segment's bytes),
     * and owns that stream from now on; both null for none.
     */
    SegmentWorker(FileTransfer.Job job, Segment segment, InputStream stream) {
        if ((segment == null) != (stream == null)) {
            throw new IllegalArgumentException("a given segment needs its stream, and the other way round");
        }
        this.givenSegment = segment;
        this.givenStream = stream;
        this.job = job;
        this.buffer = new byte[job.tuning().bufferSize()];
        // Under a rate limit smaller reads keep the flow smooth instead of bursts followed by long waits.
        this.readSize = job.limiter() == null ? buffer.length
                : (int) Math.max(4096, Math.min(buffer.length, job.limiter().bytesPerSecond() / 20));
    }

    @Override
    public void run() {
        try {
            if (givenSegment != null) {
                transferGiven();
            }
            while (!job.stop().isStopped()) {
                Optional<Segment> next = job.scheduler().next();
                if (next.isPresent()) {
                    transfer(next.get());
                } else if (!job.scheduler().mayHaveWorkLater()) {
                    break;
                } else if (!job.stop().sleep(IDLE_POLL_NANOS)) {
                    // Idle, but a slow segment may still be halved for this connection (the end game).
                    throw new Stopped();
                }
            }
        } catch (Stopped stopped) {
            // The file failed elsewhere or was cancelled; what was written is recorded already.
        } catch (IOException | RuntimeException | LinkageError e) {
            job.fail(e);
        } finally {
            closeStream();
            job.notRetrying(this);
            ended = true;
            job.workerEnded();
        }
    }

    /** Starts with the segment this worker was given, on its stream. */
    private void transferGiven() throws IOException, Stopped {
        if (!job.stop().register(givenStream)) {
            throw new Stopped(); // the signal closed it
        }
        stream = givenStream;
        streamPosition = givenSegment.start();
        job.connectionOpened();
        transfer(givenSegment);
    }

    /** Whether {@link #run} is over but for telling the file's thread so (its thread may still be alive). */
    boolean ended() {
        return ended;
    }

    private void transfer(Segment segment) throws IOException, Stopped {
        SegmentScheduler scheduler = job.scheduler();
        unmarkedFrom = scheduler.position(segment);
        lastMarkNanos = System.nanoTime();
        try {
            fetch(segment);
        } catch (Stopped stopped) {
            // Keep what this connection wrote: a resume then starts after it.
            markWritten(scheduler.position(segment));
            throw stopped;
        }
        markWritten(scheduler.position(segment), true);
        scheduler.complete(segment);
        if (!job.singleStream()) {
            // A range stream belongs to its segment (it may have been cut short by a steal).
            closeStream();
        }
    }

    private void fetch(Segment segment) throws IOException, Stopped {
        SegmentScheduler scheduler = job.scheduler();
        int attempts = 0;
        while (scheduler.remaining(segment) > 0) {
            long attemptStart = scheduler.position(segment);
            try {
                openAt(segment, attemptStart);
                job.notRetrying(this);
                if (pump(segment)) {
                    break;
                }
            } catch (IOException | RuntimeException e) {
                closeStream();
                markWritten(scheduler.position(segment));
                if (job.stop().isStopped()) {
                    throw new Stopped();
                }
                if (!retryable(e)) {
                    throw e;
                }
                if (scheduler.position(segment) > attemptStart) {
                    attempts = 0;
                }
                attempts++;
                if (attempts > job.retries()) {
                    throw new TransferException("range " + new ByteRange(scheduler.position(segment), scheduler.end(segment))
                            + " failed " + attempts + " times in a row: " + Errors.describe(e), false, e);
                }
                long delay = job.tuning().backoffNanos(attempts, ThreadLocalRandom.current().nextDouble());
                LOG.log(System.Logger.Level.DEBUG, "{0}: attempt {1} at byte {2} failed ({3}); retrying in {4} ms",
                        job.name(), attempts, scheduler.position(segment), Errors.describe(e), delay / 1_000_000);
                job.retrying(this, "from byte " + scheduler.position(segment) + ": "
                        + Errors.retryNotice(attempts, job.retries() + 1, Errors.reason(e), delay));
                if (!job.stop().sleep(delay)) {
                    throw new Stopped();
                }
            }
        }
    }

    /** Makes {@link #stream} give the byte at {@code position} next. */
    private void openAt(Segment segment, long position) throws IOException, Stopped {
        if (stream != null && streamPosition == position) {
            return;
        }
        if (stream != null && job.singleStream() && streamPosition < position) {
            // The next range still to fetch lies ahead on the whole-resource stream: skip the done bytes between.
            skipTo(position);
            return;
        }
        closeStream();
        ByteRange range;
        if (job.singleStream()) {
            // Without range support only the whole resource may be asked for: read it from the start and skip.
            range = new ByteRange(0, job.resource().sizeKnown() ? job.resource().size() : Long.MAX_VALUE);
        } else {
            range = new ByteRange(position, job.scheduler().end(segment));
        }
        InputStream opened = job.source().open(job.resource(), range);
        if (!job.stop().register(opened)) {
            throw new Stopped();
        }
        stream = opened;
        streamPosition = range.start();
        job.connectionOpened();
        skipTo(position);
    }

    private void skipTo(long position) throws IOException {
        while (streamPosition < position) {
            int skipped = read(buffer.length, position - streamPosition);
            if (skipped < 0) {
                throw new TransferException("stream ended at byte " + streamPosition + " while skipping to byte "
                        + position, true);
            }
            streamPosition += skipped;
        }
    }

    /**
     * Reads and writes until the segment has no bytes left for this worker.
     *
     * @return true when the segment is done (including a stream of unknown length that ended)
     */
    private boolean pump(Segment segment) throws IOException, Stopped {
        SegmentScheduler scheduler = job.scheduler();
        while (true) {
            long remaining = scheduler.remaining(segment);
            if (remaining <= 0) {
                return true;
            }
            int read = read(readSize, remaining);
            if (read < 0) {
                if (scheduler.end(segment) == Long.MAX_VALUE) {
                    return true;
                }
                throw new TransferException("stream ended at byte " + streamPosition + ", before the end of "
                        + new ByteRange(scheduler.position(segment), scheduler.end(segment)), true);
            }
            if (read == 0) {
                throw new TransferException("source returned no bytes at byte " + streamPosition, true);
            }
            streamPosition += read;
            if (job.limiter() != null) {
                long wait = job.limiter().reserve(read);
                if (wait > 0 && !job.stop().sleep(wait)) {
                    throw new Stopped();
                }
            }
            long position = scheduler.position(segment);
            long accepted = scheduler.claim(segment, read);
            if (accepted > 0) {
                try {
                    job.destination().write(position, ByteBuffer.wrap(buffer, 0, (int) accepted));
                } catch (IOException | RuntimeException e) {
                    scheduler.rewind(segment, position);
                    // The stream is ahead of what was written now; it must not be reused.
                    closeStream();
                    throw e;
                }
                job.received(accepted);
                long written = position + accepted;
                if (written - unmarkedFrom >= job.tuning().markInterval()
                        || System.nanoTime() - lastMarkNanos >= job.tuning().markPeriod().toNanos()) {
                    markWritten(written);
                }
            }
            if (accepted < read) {
                // A thief took the rest of this segment while we read.
                closeStream();
                return true;
            }
        }
    }

    private int read(int most, long wanted) throws IOException {
        readingSince = System.nanoTime() | 1;
        try {
            return stream.read(buffer, 0, (int) Math.min(most, wanted));
        } finally {
            readingSince = 0;
        }
    }

    /**
     * Closes the stream when one read has been blocked longer than {@code limitNanos}: a source must time out on its
     * own, and this only guards against one that does not. The worker then sees the read fail and retries. Called
     * from the file's thread, never the worker's.
     */
    void closeIfStalled(long now, long limitNanos) {
        long since = readingSince;
        InputStream current = stream;
        if (since != 0 && current != null && now - since > limitNanos) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: a read blocked for more than {1} ms; closing its stream",
                    job.name(), limitNanos / 1_000_000);
            StopSignal.closeQuietly(current);
        }
    }

    /** Hands {@code [unmarkedFrom, upTo)} to the recorder, which records it durably soon. */
    private void markWritten(long upTo) throws IOException {
        markWritten(upTo, false);
    }

    /** As {@link #markWritten(long)}; {@code rangeFinished} when {@code upTo} is the end of this connection's range. */
    private void markWritten(long upTo, boolean rangeFinished) throws IOException {
        if (upTo > unmarkedFrom) {
            job.recorder().post(new ByteRange(unmarkedFrom, upTo), rangeFinished);
            unmarkedFrom = upTo;
        }
        lastMarkNanos = System.nanoTime();
    }

    private void closeStream() {
        InputStream toClose = stream;
        if (toClose != null) {
            stream = null;
            job.stop().unregister(toClose);
            StopSignal.closeQuietly(toClose);
            job.connectionClosed();
        }
    }

    private static boolean retryable(Throwable error) {
        if (error instanceof ParcelException parcel) {
            return parcel.retryable();
        }
        return error instanceof IOException;
    }

    /** The file stopped (failed elsewhere, or cancelled): leave quietly. */
    static final class Stopped extends Exception {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("stopped", null, false, false);
        }
    }
}
