package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;

import java.util.ArrayList;
import java.util.List;

/**
 * The ranges written since the force that last covered them: lets {@link FileDestination#markDone} skip its force
 * when an earlier force already made its range durable. Marking the ranges of several connections one after the
 * other then costs one force, not one per range; a force on a busy file is the slowest thing a download does.
 *
 * <p>Thread-safe. Small: adjacent writes merge, so it holds about one range per writing connection.
 */
final class UnforcedRanges {
    // Sorted, disjoint, non-adjacent; guarded by this.
    private List<ByteRange> ranges = List.of();
    /** The snapshot of the force running now, or null. */
    private List<ByteRange> forcing;
    /** Writes over {@link #forcing} that completed while it ran: that force may have missed them. */
    private final List<ByteRange> rewritten = new ArrayList<>();

    /** A write of {@code range} completed. */
    synchronized void written(ByteRange range) {
        if (range.isEmpty()) {
            return;
        }
        if (forcing != null && overlapsAny(forcing, range)) {
            rewritten.add(range);
        }
        // Connections write forward, so the common case extends one range; merge keeps the rest simple.
        List<ByteRange> next = new ArrayList<>(ranges.size() + 1);
        next.addAll(ranges);
        next.add(range);
        ranges = ByteRanges.merge(next);
    }

    /** True when some byte of {@code range} was written and not forced since. */
    synchronized boolean overlaps(ByteRange range) {
        return overlapsAny(ranges, range);
    }

    private static boolean overlapsAny(List<ByteRange> sorted, ByteRange range) {
        for (ByteRange unforced : sorted) {
            if (unforced.start() < range.end() && range.start() < unforced.end()) {
                return true;
            }
            if (unforced.start() >= range.end()) {
                return false;
            }
        }
        return false;
    }

    /** What a force starting now will cover; call {@link #forced} with it once that force completed. */
    synchronized List<ByteRange> snapshot() {
        forcing = ranges;
        rewritten.clear();
        return ranges;
    }

    /** A force that began after {@code snapshot} was taken completed: those ranges are durable. */
    synchronized void forced(List<ByteRange> snapshot) {
        List<ByteRange> left = new ArrayList<>(rewritten);
        for (ByteRange range : ranges) {
            left.addAll(subtract(range, snapshot));
        }
        ranges = ByteRanges.merge(left);
        forcing = null;
        rewritten.clear();
    }

    /** {@code range} minus the sorted, disjoint {@code removed}. */
    private static List<ByteRange> subtract(ByteRange range, List<ByteRange> removed) {
        List<ByteRange> pieces = new ArrayList<>();
        long position = range.start();
        for (ByteRange cut : removed) {
            if (cut.end() <= position) {
                continue;
            }
            if (cut.start() >= range.end()) {
                break;
            }
            if (cut.start() > position) {
                pieces.add(new ByteRange(position, cut.start()));
            }
            position = Math.max(position, cut.end());
        }
        if (position < range.end()) {
            pieces.add(new ByteRange(position, range.end()));
        }
        return pieces;
    }
}
