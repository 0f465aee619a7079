package io.parcel.transport.udt.internal.wire;

/**
 * Data sequence numbers: 31 bits, wrapping from {@link #MAX} to 0, compared wrap-aware exactly as UDT 4.11's
 * {@code CSeqNo} does (numbers more than {@link #THRESHOLD} apart are taken to have wrapped).
 */
public final class SeqNo {
    public static final int MAX = 0x7FFFFFFF;
    public static final int THRESHOLD = 0x3FFFFFFF;

    private SeqNo() {
    }

    /** Negative when {@code a} comes before {@code b}, zero when equal, positive when after. */
    public static int compare(int a, int b) {
        return Math.abs(a - b) < THRESHOLD ? a - b : b - a;
    }

    /** How many numbers lie from {@code a} to {@code b}, both included ({@code a} must not be after {@code b}). */
    public static int length(int a, int b) {
        return a <= b ? b - a + 1 : b - a + MAX + 2;
    }

    /** How far {@code b} is after {@code a}; negative when before. */
    public static int offset(int a, int b) {
        if (Math.abs(a - b) < THRESHOLD) {
            return b - a;
        }
        return a < b ? b - a - MAX - 1 : b - a + MAX + 1;
    }

    public static int increment(int seq) {
        return seq == MAX ? 0 : seq + 1;
    }

    /** {@code seq + delta} in sequence space; {@code delta} may be negative. */
    public static int add(int seq, int delta) {
        return (seq + delta) & MAX;
    }

    public static int decrement(int seq) {
        return seq == 0 ? MAX : seq - 1;
    }
}
