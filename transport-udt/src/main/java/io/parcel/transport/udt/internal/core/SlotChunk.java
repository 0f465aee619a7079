package io.parcel.transport.udt.internal.core;

import java.util.Arrays;

/**
 * {@value PayloadSlots#CHUNK_PACKETS} consecutive packet slots of a send or receive buffer: their payload bytes and
 * per-packet fields side by side, so that a slot nobody uses costs nothing (its chunk is not there) and a chunk
 * moves between connections through the {@link PayloadPool} as one piece.
 */
final class SlotChunk {
    /** The length of a slot that holds no packet. */
    static final int ABSENT = -1;

    private final int payloadSize;
    final byte[] payload;
    final int[] lengths;
    final int[] messageWords;
    final long[] sendTimes;

    SlotChunk(int payloadSize) {
        this.payloadSize = payloadSize;
        this.payload = new byte[PayloadSlots.CHUNK_PACKETS * payloadSize];
        this.lengths = new int[PayloadSlots.CHUNK_PACKETS];
        this.messageWords = new int[PayloadSlots.CHUNK_PACKETS];
        this.sendTimes = new long[PayloadSlots.CHUNK_PACKETS];
        clearLengths();
    }

    /** Heap bytes of a chunk for this payload size (arrays only, which is what counts). */
    static long bytes(int payloadSize) {
        return (long) PayloadSlots.CHUNK_PACKETS * (payloadSize + Integer.BYTES * 2 + Long.BYTES);
    }

    int payloadSize() {
        return payloadSize;
    }

    long byteSize() {
        return bytes(payloadSize);
    }

    void clearLengths() {
        Arrays.fill(lengths, ABSENT);
    }

    boolean isEmpty() {
        for (int length : lengths) {
            if (length != ABSENT) {
                return false;
            }
        }
        return true;
    }
}
