package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;

import java.util.ArrayList;
import java.util.List;

/** Operations on sets of byte ranges kept as sorted, disjoint, non-adjacent lists. */
public final class ByteRanges {
    private ByteRanges() {
    }

    /** Sorts and merges overlapping or touching ranges; drops empty ones. */
    public static List<ByteRange> merge(List<ByteRange> ranges) {
        List<ByteRange> sorted = new ArrayList<>(ranges);
        sorted.removeIf(ByteRange::isEmpty);
        sorted.sort(null);
        List<ByteRange> merged = new ArrayList<>();
        for (ByteRange range : sorted) {
            if (!merged.isEmpty() && range.start() <= merged.get(merged.size() - 1).end()) {
                ByteRange last = merged.remove(merged.size() - 1);
                merged.add(new ByteRange(last.start(), Math.max(last.end(), range.end())));
            } else {
                merged.add(range);
            }
        }
        return List.copyOf(merged);
    }

    /** The parts of {@code ranges} below {@code limit}. */
    public static List<ByteRange> clip(List<ByteRange> ranges, long limit) {
        List<ByteRange> clipped = new ArrayList<>();
        for (ByteRange range : ranges) {
            if (range.start() < limit) {
                clipped.add(new ByteRange(range.start(), Math.min(range.end(), limit)));
            }
        }
        return merge(clipped);
    }

    public static long totalLength(List<ByteRange> ranges) {
        return ranges.stream().mapToLong(ByteRange::length).sum();
    }

    /** The parts of {@code [0, size)} that {@code done} (merged) does not cover. */
    public static List<ByteRange> gaps(List<ByteRange> done, long size) {
        List<ByteRange> gaps = new ArrayList<>();
        long position = 0;
        for (ByteRange range : merge(done)) {
            if (range.start() > position) {
                gaps.add(new ByteRange(position, Math.min(range.start(), size)));
            }
            position = Math.max(position, range.end());
        }
        if (position < size) {
            gaps.add(new ByteRange(position, size));
        }
        gaps.removeIf(ByteRange::isEmpty);
        return List.copyOf(gaps);
    }
}
