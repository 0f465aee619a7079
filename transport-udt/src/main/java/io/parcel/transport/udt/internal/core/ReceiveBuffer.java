package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.wire.SeqNo;

import java.nio.ByteBuffer;

/**
 * The receiver's packets from the first one the application has not fully read on: a ring of slots (lazily
 * allocated chunks). Holes between {@link #firstMissing()} and the largest received number are the receiver's
 * loss list, so no separate list is kept. Not thread-safe: the owning connection's lock guards it.
 */
final class ReceiveBuffer {
    private static final int ABSENT = -1;

    private final int capacity;
    private final PayloadSlots payloads;
    private final int[] lengths;
    private int startSlot;
    private int startSequence;
    private int readOffset;
    private int firstMissing;
    private int held;

    ReceiveBuffer(int capacity, int payloadSize, int initialSequence) {
        this.capacity = capacity;
        this.payloads = new PayloadSlots(capacity, payloadSize);
        this.lengths = new int[capacity];
        java.util.Arrays.fill(lengths, ABSENT);
        this.startSequence = initialSequence;
        this.firstMissing = initialSequence;
    }

    int capacity() {
        return capacity;
    }

    /** The sequence after the last contiguously received packet: the ACK number. */
    int firstMissing() {
        return firstMissing;
    }

    /** The sequence of the first packet not yet completely read by the application. */
    int startSequence() {
        return startSequence;
    }

    /** Packets held, whether readable or above a hole. */
    int held() {
        return held;
    }

    /** Room for how many more packets, counting from the start to {@code largestReceived}. */
    int available(int largestReceived) {
        int used = Math.max(0, SeqNo.offset(startSequence, largestReceived) + 1);
        return capacity - used - 1;
    }

    /** Whether {@code sequence} fits the ring and is not yet held. */
    boolean accepts(int sequence) {
        int offset = SeqNo.offset(startSequence, sequence);
        return offset >= 0 && offset < capacity && lengths[slotOf(offset)] == ABSENT;
    }

    boolean isPresent(int sequence) {
        int offset = SeqNo.offset(startSequence, sequence);
        return offset >= 0 && offset < capacity && lengths[slotOf(offset)] != ABSENT;
    }

    /** Stores a payload (from {@code source}'s position to its limit); false when not {@link #accepts}. */
    boolean insert(int sequence, ByteBuffer source) {
        int offset = SeqNo.offset(startSequence, sequence);
        if (offset < 0 || offset >= capacity) {
            return false;
        }
        int slot = slotOf(offset);
        if (lengths[slot] != ABSENT) {
            return false;
        }
        int length = source.remaining();
        source.get(payloads.chunk(slot), payloads.offset(slot), length);
        lengths[slot] = length;
        held++;
        if (sequence == firstMissing) {
            advanceFirstMissing();
        }
        return true;
    }

    private void advanceFirstMissing() {
        int offset = SeqNo.offset(startSequence, firstMissing);
        while (offset < capacity && lengths[slotOf(offset)] != ABSENT) {
            offset++;
        }
        firstMissing = SeqNo.add(startSequence, offset);
    }

    /** Bytes readable now (contiguous from the start). */
    boolean hasReadable() {
        return startSequence != firstMissing;
    }

    /** Copies up to {@code length} contiguous bytes out; returns how many (0 when nothing is readable). */
    int read(byte[] target, int offset, int length) {
        int copied = 0;
        while (copied < length && startSequence != firstMissing) {
            int slot = startSlot;
            int n = Math.min(length - copied, lengths[slot] - readOffset);
            System.arraycopy(payloads.chunk(slot), payloads.offset(slot) + readOffset, target, offset + copied, n);
            copied += n;
            readOffset += n;
            if (readOffset == lengths[slot]) {
                lengths[slot] = ABSENT;
                held--;
                readOffset = 0;
                startSlot = startSlot + 1 == capacity ? 0 : startSlot + 1;
                startSequence = SeqNo.increment(startSequence);
            }
        }
        return copied;
    }

    /** The payload length of a held {@code sequence} (0 for a dropped-packet marker). */
    int length(int sequence) {
        return lengths[slotOf(SeqNo.offset(startSequence, sequence))];
    }

    /**
     * Copies the whole payload of a held {@code sequence} into {@code target} at its position, leaving the packet
     * in place (message mode reads a complete message out of order this way).
     */
    void copy(int sequence, ByteBuffer target) {
        int slot = slotOf(SeqNo.offset(startSequence, sequence));
        target.put(payloads.chunk(slot), payloads.offset(slot), lengths[slot]);
    }

    /** Discards {@code first..last} as if read (message drop); only the part at the start is affected. */
    void skipTo(int sequence) {
        while (SeqNo.compare(startSequence, sequence) < 0) {
            if (lengths[startSlot] != ABSENT) {
                lengths[startSlot] = ABSENT;
                held--;
            }
            readOffset = 0;
            startSlot = startSlot + 1 == capacity ? 0 : startSlot + 1;
            startSequence = SeqNo.increment(startSequence);
        }
        if (SeqNo.compare(firstMissing, startSequence) < 0) {
            firstMissing = startSequence;
        }
        advanceFirstMissing();
    }

    private int slotOf(int offsetFromStart) {
        int slot = startSlot + offsetFromStart;
        return slot >= capacity ? slot - capacity : slot;
    }
}
