package io.parcel.transport.udt.internal.core;

/** The receiver's record of recent full ACKs (1024, as 4.11's CACKWindow) to time ACK2 round trips. */
final class AckWindow {
    static final int SIZE = 1024;

    private final int[] ackSequences = new int[SIZE];
    private final int[] ackNumbers = new int[SIZE];
    private final long[] sentNanos = new long[SIZE];

    AckWindow() {
        java.util.Arrays.fill(ackSequences, -1);
    }

    void store(int ackSequence, int ackNumber, long nowNanos) {
        int index = ackSequence & (SIZE - 1);
        ackSequences[index] = ackSequence;
        ackNumbers[index] = ackNumber;
        sentNanos[index] = nowNanos;
    }

    /** The round trip in µs for an ACK2 of {@code ackSequence}, or -1 when it is unknown or overwritten. */
    long roundTripMicros(int ackSequence, long nowNanos) {
        int index = ackSequence & (SIZE - 1);
        if (ackSequence < 0 || ackSequences[index] != ackSequence) {
            return -1;
        }
        ackSequences[index] = -1;
        return Math.max(1, (nowNanos - sentNanos[index]) / 1000);
    }

    /** The ACK number the ACK with {@code ackSequence} carried (valid right after {@link #roundTripMicros}). */
    int ackNumber(int ackSequence) {
        return ackNumbers[ackSequence & (SIZE - 1)];
    }
}
