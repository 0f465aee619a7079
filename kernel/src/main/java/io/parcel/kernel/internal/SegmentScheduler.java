package io.parcel.kernel.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.parcel.spi.ByteRange;

import static java.util.Objects.requireNonNull;

/**
 * Hands out the ranges of one file to its connections, so that the tail of a download never waits on one slow
 * stream. The remaining ranges are cut into pieces of the segment size; each worker takes the next piece, and when
 * none is left an idle worker steals the upper half of the in-flight segment with the most bytes still to receive.
 * Below the minimum split, a segment is still halved when its recent rate says it needs more than a second to finish
 * (the end game): one stream that lost its share of the path (a starved flow of several sharing it, a server that
 * slowed down) otherwise kept a download waiting for seconds after every other connection had gone idle. Idle
 * workers ask again while {@link #mayHaveWorkLater()} says such a split may still come.
 *
 * <p>Workers report what they received with {@link #claim}: a claim is accepted only up to the segment's current end,
 * so a steal and a read racing each other never let two workers write the same byte. Thread-safe; every method is
 * short and non-blocking, so tests step it by hand.
 */
final class SegmentScheduler {
    private final Deque<ByteRange> unassigned = new ArrayDeque<>();
    private final List<Segment> inFlight = new ArrayList<>();
    /** Time a segment is watched before its rate counts for the end game. */
    static final long RATE_OBSERVE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** A segment whose recent rate needs more than this for what it has left is halved in the end game. */
    static final long SLOW_TAIL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The rate window: a segment's rate is measured over the last one to two of these. */
    static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The least an end-game split leaves on either side: smaller pieces cost a request for nothing. */
    static final long MIN_TAIL_PIECE = 64 << 10;

    private final long minSplit;
    private final long alignment;
    private final LongSupplier nanoClock;
    private boolean aborted;

    /**
     * @param remaining   the ranges still to fetch, sorted and disjoint
     * @param segmentSize the size pieces are cut to, {@code > 0}
     * @param minSplit    an in-flight segment with fewer bytes than this left is never split; {@link Long#MAX_VALUE}
     *                    turns stealing off (a resource without range support)
     * @param alignment   split points are rounded down to a multiple of this (disk-friendly writes), {@code > 0}
     */
    SegmentScheduler(List<ByteRange> remaining, long segmentSize, long minSplit, long alignment) {
        this(remaining, segmentSize, minSplit, alignment, () -> 0L);
    }

    /**
     * As the other constructor, with {@code nanoClock} ({@link System#nanoTime()} in production; tests step it) for
     * the segments' rates. With a clock that stands still only the minimum split applies.
     */
    SegmentScheduler(List<ByteRange> remaining, long segmentSize, long minSplit, long alignment, LongSupplier nanoClock) {
        requireNonNull(remaining, "remaining is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        if (segmentSize <= 0 || minSplit <= 0 || alignment <= 0) {
            throw new IllegalArgumentException("segmentSize, minSplit and alignment must be positive");
        }
        this.minSplit = minSplit;
        this.alignment = alignment;
        for (ByteRange range : remaining) {
            long start = range.start();
            while (start < range.end()) {
                // A range to Long.MAX_VALUE (unknown size) stays one piece: its end is not known.
                long end = range.end() == Long.MAX_VALUE || range.end() - start <= segmentSize
                        ? range.end() : start + segmentSize;
                unassigned.add(new ByteRange(start, end));
                start = end;
            }
        }
    }

    /** The next piece to fetch, a stolen half of a slow one, or empty when nothing is left to hand out. */
    synchronized Optional<Segment> next() {
        if (aborted) {
            return Optional.empty();
        }
        ByteRange piece = unassigned.pollFirst();
        if (piece != null) {
            Segment segment = new Segment(piece.start(), piece.end(), nanoClock.getAsLong());
            inFlight.add(segment);
            return Optional.of(segment);
        }
        return steal();
    }

    /**
     * Hands out exactly {@code range} as a segment, carved out of the pieces not handed out yet: for a connection
     * that already has a stream of that range (the first bytes that came with the description). Empty, and nothing
     * changes, when part of the range was handed out already or is not to be fetched (a resume that has it).
     */
    synchronized Optional<Segment> assign(ByteRange range) {
        requireNonNull(range, "range is null");
        if (aborted || range.isEmpty() || !unassignedCover(range)) {
            return Optional.empty();
        }
        List<ByteRange> kept = new ArrayList<>(unassigned.size() + 1);
        for (ByteRange piece : unassigned) {
            if (piece.end() <= range.start() || piece.start() >= range.end()) {
                kept.add(piece);
                continue;
            }
            if (piece.start() < range.start()) {
                kept.add(new ByteRange(piece.start(), range.start()));
            }
            if (piece.end() > range.end()) {
                kept.add(new ByteRange(range.end(), piece.end()));
            }
        }
        unassigned.clear();
        unassigned.addAll(kept);
        Segment segment = new Segment(range.start(), range.end(), nanoClock.getAsLong());
        inFlight.add(segment);
        return Optional.of(segment);
    }

    /** Whether the unassigned pieces (sorted, disjoint) hold every byte of {@code range}. */
    private boolean unassignedCover(ByteRange range) {
        long cursor = range.start();
        for (ByteRange piece : unassigned) {
            if (piece.end() <= cursor) {
                continue;
            }
            if (piece.start() > cursor) {
                return false;
            }
            cursor = piece.end();
            if (cursor >= range.end()) {
                return true;
            }
        }
        return false;
    }

    private Optional<Segment> steal() {
        Segment victim = null;
        for (Segment segment : inFlight) {
            if (victim == null || segment.remainingLocked() > victim.remainingLocked()) {
                victim = segment;
            }
        }
        if (victim == null || victim.end == Long.MAX_VALUE) {
            return Optional.empty();
        }
        if (victim.remainingLocked() >= minSplit) {
            return Optional.of(split(victim));
        }
        return slowTail().map(this::split);
    }

    /** The splittable segment whose recent rate needs the longest to finish it, if that is over a second. */
    private Optional<Segment> slowTail() {
        if (minSplit == Long.MAX_VALUE) {
            return Optional.empty();
        }
        long now = nanoClock.getAsLong();
        Segment slowest = null;
        double slowestNanos = SLOW_TAIL_NANOS;
        for (Segment segment : inFlight) {
            if (segment.end == Long.MAX_VALUE || segment.remainingLocked() < 2 * MIN_TAIL_PIECE) {
                continue;
            }
            double nanosLeft = segment.nanosToFinish(now);
            if (nanosLeft > slowestNanos) {
                slowest = segment;
                slowestNanos = nanosLeft;
            }
        }
        return Optional.ofNullable(slowest);
    }

    private Segment split(Segment victim) {
        long split = victim.position + victim.remainingLocked() / 2;
        long aligned = split - split % alignment;
        if (aligned > victim.position) {
            split = aligned;
        }
        Segment thief = new Segment(split, victim.end, nanoClock.getAsLong());
        victim.end = split;
        inFlight.add(thief);
        return thief;
    }

    /**
     * Whether an idle worker should ask {@link #next()} again later: nothing is left to hand out now, but a segment
     * in flight is large enough that the end game may halve it once its rate shows it slow.
     */
    synchronized boolean mayHaveWorkLater() {
        if (aborted || minSplit == Long.MAX_VALUE) {
            return false;
        }
        return inFlightWithAtLeast(2 * MIN_TAIL_PIECE);
    }

    /**
     * Whether one more worker would get work now: a piece not handed out yet, or a segment in flight that {@link
     * #next()} would split for it.
     */
    synchronized boolean couldUseAnotherWorker() {
        if (aborted) {
            return false;
        }
        return !unassigned.isEmpty() || inFlightWithAtLeast(minSplit);
    }

    /** Whether a segment in flight, of known end, has at least {@code bytes} still to receive. Caller holds the lock. */
    private boolean inFlightWithAtLeast(long bytes) {
        for (Segment segment : inFlight) {
            if (segment.end != Long.MAX_VALUE && segment.remainingLocked() >= bytes) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records that the worker of {@code segment} received {@code bytes} more at its position.
     *
     * @return how many of them are still the segment's to write (fewer when the segment was split meanwhile)
     */
    synchronized long claim(Segment segment, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative: " + bytes);
        }
        long accepted = Math.min(bytes, segment.remainingLocked());
        segment.position += accepted;
        segment.advanceRateWindow(nanoClock.getAsLong());
        return accepted;
    }

    /** Moves the position back to {@code position} after a claimed write failed, so the bytes are fetched again. */
    synchronized void rewind(Segment segment, long position) {
        if (position < segment.start || position > segment.position) {
            throw new IllegalArgumentException("cannot rewind " + segment + " to " + position);
        }
        segment.position = position;
        segment.restartRate(nanoClock.getAsLong());
    }

    /** Ends a segment of unknown length at its current position (the stream ended), and drops it from the in-flight set. */
    synchronized void complete(Segment segment) {
        if (segment.end == Long.MAX_VALUE) {
            segment.end = segment.position;
        }
        if (segment.position != segment.end) {
            throw new IllegalStateException("segment not finished: " + segment);
        }
        inFlight.remove(segment);
    }

    /** Stops handing out work: the file failed or was cancelled. */
    synchronized void abort() {
        aborted = true;
    }

    /** True when every byte was handed out and received. */
    synchronized boolean isFinished() {
        return unassigned.isEmpty() && inFlight.isEmpty();
    }

    /** Bytes the segment's worker may still receive (its end minus its position). */
    synchronized long remaining(Segment segment) {
        return segment.remainingLocked();
    }

    synchronized long position(Segment segment) {
        return segment.position;
    }

    synchronized long end(Segment segment) {
        return segment.end;
    }

    /** The ranges not received yet, unassigned and in flight, sorted: what a resume would fetch. */
    synchronized List<ByteRange> unreceived() {
        List<ByteRange> result = new ArrayList<>(unassigned);
        for (Segment segment : inFlight) {
            if (segment.position < segment.end) {
                result.add(new ByteRange(segment.position, segment.end));
            }
        }
        result.sort(null);
        return List.copyOf(result);
    }

    /**
     * One worker's share: {@code [start, end)}, received up to {@code position}. Its fields are guarded by the
     * scheduler; only the scheduler moves them.
     */
    static final class Segment {
        private final long start;
        private long position;
        private long end;
        /** The rate window: {@link #position} was {@code windowPosition} at {@code windowNanos}; likewise the one before. */
        private long windowNanos;
        private long windowPosition;
        private long previousWindowNanos;
        private long previousWindowPosition;

        private Segment(long start, long end, long nowNanos) {
            this.start = start;
            this.position = start;
            this.end = end;
            restartRate(nowNanos);
        }

        private void restartRate(long nowNanos) {
            windowNanos = nowNanos;
            windowPosition = position;
            previousWindowNanos = nowNanos;
            previousWindowPosition = position;
        }

        /** Starts a new window every {@link #RATE_WINDOW_NANOS}, so the rate covers the last one to two of them. */
        private void advanceRateWindow(long nowNanos) {
            if (nowNanos - windowNanos >= RATE_WINDOW_NANOS) {
                previousWindowNanos = windowNanos;
                previousWindowPosition = windowPosition;
                windowNanos = nowNanos;
                windowPosition = position;
            }
        }

        /**
         * Time its recent rate needs for what the segment has left: 0 while it was watched for less than {@link
         * #RATE_OBSERVE_NANOS}, infinite when nothing arrived in its window (a stalled stream).
         */
        private double nanosToFinish(long nowNanos) {
            long elapsed = nowNanos - previousWindowNanos;
            if (elapsed < RATE_OBSERVE_NANOS) {
                return 0;
            }
            long received = position - previousWindowPosition;
            return received <= 0 ? Double.POSITIVE_INFINITY : (double) remainingLocked() * elapsed / received;
        }

        long start() {
            return start;
        }

        private long remainingLocked() {
            return end - position;
        }

        @Override
        public String toString() {
            return "segment[" + start + ", " + end + ") at " + position;
        }
    }
}
