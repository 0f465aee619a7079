package io.parcel.spi;

/**
 * A half-open range of byte offsets {@code [start, end)}.
 *
 * @param start first offset, inclusive, {@code >= 0}
 * @param end   offset after the last byte, exclusive, {@code >= start}
 */
public record ByteRange(long start, long end) implements Comparable<ByteRange> {
    public ByteRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("invalid byte range [" + start + ", " + end + ")");
        }
    }

    public static ByteRange ofLength(long start, long length) {
        return new ByteRange(start, Math.addExact(start, length));
    }

    public long length() {
        return end - start;
    }

    public boolean isEmpty() {
        return start == end;
    }

    public boolean contains(long offset) {
        return offset >= start && offset < end;
    }

    @Override
    public int compareTo(ByteRange other) {
        int byStart = Long.compare(start, other.start);
        return byStart != 0 ? byStart : Long.compare(end, other.end);
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + ")";
    }
}
