package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.wire.SeqNo;

import java.nio.ByteBuffer;

/**
 * The receiver's packets from the first one the application has not fully read on: a ring of slots (lazily
 * allocated chunks). Holes between {@link #firstMissing()} and the largest received number are the receiver's
 * loss list, so no separate list is kept. Not thread-safe: the owning connection's lock guards it.
 */
final class ReceiveBuffer {
    private static final int ABSENT = SlotChunk.ABSENT;

    private final int capacity;
    private final PayloadSlots payloads;
    private int startSlot;
    private int startSequence;
    private int readOffset;
    private int firstMissing;
    private int held;

    ReceiveBuffer(PayloadPool pool, int capacity, int payloadSize, int initialSequence) {
        this.capacity = capacity;
        this.payloads = new PayloadSlots(pool, capacity, payloadSize);
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
        return offset >= 0 && offset < capacity && lengthAt(slotOf(offset)) == ABSENT;
    }

    boolean isPresent(int sequence) {
        int offset = SeqNo.offset(startSequence, sequence);
        return offset >= 0 && offset < capacity && lengthAt(slotOf(offset)) != ABSENT;
    }

    /**
     * Stores a payload (from {@code source}'s position to its limit); false when not {@link #accepts}, or when
     * memory is short (the pool's budget is spent) and this is not the packet the reader waits for.
     */
    boolean insert(int sequence, ByteBuffer source) {
        int offset = SeqNo.offset(startSequence, sequence);
        if (offset < 0 || offset >= capacity) {
            return false;
        }
        int slot = slotOf(offset);
        if (lengthAt(slot) != ABSENT) {
            return false;
        }
        // The first missing packet always gets its memory, so every reader makes progress under memory pressure.
        SlotChunk chunk = payloads.acquire(slot, sequence == firstMissing);
        if (chunk == null) {
            return false;
        }
        int length = source.remaining();
        source.get(chunk.payload, payloads.offset(slot), length);
        chunk.lengths[PayloadSlots.index(slot)] = length;
        held++;
        if (sequence == firstMissing) {
            advanceFirstMissing();
        }
        return true;
    }

    private void advanceFirstMissing() {
        int offset = SeqNo.offset(startSequence, firstMissing);
        while (offset < capacity && lengthAt(slotOf(offset)) != ABSENT) {
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
            SlotChunk chunk = payloads.chunk(slot);
            int index = PayloadSlots.index(slot);
            int n = Math.min(length - copied, chunk.lengths[index] - readOffset);
            System.arraycopy(chunk.payload, payloads.offset(slot) + readOffset, target, offset + copied, n);
            copied += n;
            readOffset += n;
            if (readOffset == chunk.lengths[index]) {
                chunk.lengths[index] = ABSENT;
                held--;
                readOffset = 0;
                advanceStart();
            }
        }
        return copied;
    }

    /** The payload length of a held {@code sequence} (0 for a dropped-packet marker). */
    int length(int sequence) {
        return lengthAt(slotOf(SeqNo.offset(startSequence, sequence)));
    }

    /**
     * Copies the whole payload of a held {@code sequence} into {@code target} at its position, leaving the packet
     * in place (message mode reads a complete message out of order this way).
     */
    void copy(int sequence, ByteBuffer target) {
        int slot = slotOf(SeqNo.offset(startSequence, sequence));
        SlotChunk chunk = payloads.chunk(slot);
        target.put(chunk.payload, payloads.offset(slot), chunk.lengths[PayloadSlots.index(slot)]);
    }

    /** Discards {@code first..last} as if read (message drop); only the part at the start is affected. */
    void skipTo(int sequence) {
        while (SeqNo.compare(startSequence, sequence) < 0) {
            SlotChunk chunk = payloads.chunk(startSlot);
            int index = PayloadSlots.index(startSlot);
            if (chunk != null && chunk.lengths[index] != ABSENT) {
                chunk.lengths[index] = ABSENT;
                held--;
            }
            readOffset = 0;
            advanceStart();
        }
        if (SeqNo.compare(firstMissing, startSequence) < 0) {
            firstMissing = startSequence;
        }
        advanceFirstMissing();
    }

    /** Moves the start one slot on; a chunk the start leaves goes back to the pool unless it holds packets. */
    private void advanceStart() {
        int left = startSlot;
        startSlot = startSlot + 1 == capacity ? 0 : startSlot + 1;
        startSequence = SeqNo.increment(startSequence);
        if (PayloadSlots.index(startSlot) == 0) {
            payloads.releaseIfEmpty(left / PayloadSlots.CHUNK_PACKETS);
        }
    }

    private int lengthAt(int slot) {
        SlotChunk chunk = payloads.chunk(slot);
        return chunk == null ? ABSENT : chunk.lengths[PayloadSlots.index(slot)];
    }

    /** Gives all memory back and holds nothing from now on (the connection is gone). */
    void close() {
        payloads.close();
        held = 0;
        readOffset = 0;
        firstMissing = startSequence;
    }

    /** Chunks held now, for tests. */
    int heldChunks() {
        return payloads.heldChunks();
    }

    private int slotOf(int offsetFromStart) {
        int slot = startSlot + offsetFromStart;
        return slot >= capacity ? slot - capacity : slot;
    }
}
