package io.parcel.kernel.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import io.parcel.spi.ByteRange;

import static java.util.Objects.requireNonNull;

/**
 * Hands out the ranges of one file to its connections, so that the tail of a download never waits on one slow
 * stream. The remaining ranges are cut into pieces of the segment size; each worker takes the next piece, and when
 * none is left an idle worker steals the upper half of the in-flight segment with the most bytes still to receive.
 *
 * <p>Workers report what they received with {@link #claim}: a claim is accepted only up to the segment's current end,
 * so a steal and a read racing each other never let two workers write the same byte. Thread-safe; every method is
 * short and non-blocking, so tests step it by hand.
 */
final class SegmentScheduler {
    private final Deque<ByteRange> unassigned = new ArrayDeque<>();
    private final List<Segment> inFlight = new ArrayList<>();
    private final long minSplit;
    private final long alignment;
    private boolean aborted;

    /**
     * @param remaining   the ranges still to fetch, sorted and disjoint
     * @param segmentSize the size pieces are cut to, {@code > 0}
     * @param minSplit    an in-flight segment with fewer bytes than this left is never split; {@link Long#MAX_VALUE}
     *                    turns stealing off (a resource without range support)
     * @param alignment   split points are rounded down to a multiple of this (disk-friendly writes), {@code > 0}
     */
    SegmentScheduler(List<ByteRange> remaining, long segmentSize, long minSplit, long alignment) {
        requireNonNull(remaining, "remaining is null");
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
            Segment segment = new Segment(piece.start(), piece.end());
            inFlight.add(segment);
            return Optional.of(segment);
        }
        return steal();
    }

    private Optional<Segment> steal() {
        Segment victim = null;
        for (Segment segment : inFlight) {
            if (victim == null || segment.remainingLocked() > victim.remainingLocked()) {
                victim = segment;
            }
        }
        if (victim == null || victim.end == Long.MAX_VALUE || victim.remainingLocked() < minSplit) {
            return Optional.empty();
        }
        long split = victim.position + victim.remainingLocked() / 2;
        long aligned = split - split % alignment;
        if (aligned > victim.position) {
            split = aligned;
        }
        Segment thief = new Segment(split, victim.end);
        victim.end = split;
        inFlight.add(thief);
        return Optional.of(thief);
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
        return accepted;
    }

    /** Moves the position back to {@code position} after a claimed write failed, so the bytes are fetched again. */
    synchronized void rewind(Segment segment, long position) {
        if (position < segment.start || position > segment.position) {
            throw new IllegalArgumentException("cannot rewind " + segment + " to " + position);
        }
        segment.position = position;
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

        private Segment(long start, long end) {
            this.start = start;
            this.position = start;
            this.end = end;
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
