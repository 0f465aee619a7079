package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.wire.SeqNo;

import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * The sender's packets from the oldest unacknowledged one on: a ring of fixed-size slots (payload bytes in
 * lazily allocated chunks, so an idle connection costs little and the hot path allocates nothing) plus the
 * sender loss list as a bit per slot. Sequence numbers are implicit: slot {@code head + i} holds
 * {@code headSequence + i}. Not thread-safe: the owning connection's lock guards it.
 */
final class SendBuffer {

    private final int capacity;
    private final int payloadSize;
    private final PayloadSlots payloads;
    private final BitSet lost;
    /** Slots whose latest send was a retransmission (set with each send time; meaningful for sent slots only). */
    private final BitSet resent;
    private int headSlot;
    private int headSequence;
    private int count;
    private int lostCount;

    SendBuffer(PayloadPool pool, int capacity, int payloadSize, int initialSequence) {
        if (capacity < 2 || payloadSize < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " / payload size " + payloadSize);
        }
        this.capacity = capacity;
        this.payloadSize = payloadSize;
        this.payloads = new PayloadSlots(pool, capacity, payloadSize);
        this.lost = new BitSet(capacity);
        this.resent = new BitSet(capacity);
        this.headSequence = initialSequence;
    }

    int capacity() {
        return capacity;
    }

    int size() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int headSequence() {
        return headSequence;
    }

    /** The sequence number the next new packet will get. */
    int endSequence() {
        return SeqNo.add(headSequence, count);
    }

    /**
     * Copies up to {@code length} bytes in: first into the last packet while it is unsent ({@code firstUnsent} is
     * the next sequence to send for the first time) and not full, then into new packets.
     *
     * @return how many bytes were taken (0 when the buffer is full)
     */
    int append(byte[] source, int offset, int length, int firstUnsent, int messageWord, boolean coalesce) {
        int taken = 0;
        if (coalesce && count > 0) {
            int lastSequence = SeqNo.add(headSequence, count - 1);
            int slot = slotOf(count - 1);
            SlotChunk chunk = payloads.chunk(slot);
            int index = PayloadSlots.index(slot);
            if (SeqNo.compare(lastSequence, firstUnsent) >= 0 && chunk.lengths[index] < payloadSize) {
                int n = Math.min(length, payloadSize - chunk.lengths[index]);
                System.arraycopy(source, offset, chunk.payload, payloads.offset(slot) + chunk.lengths[index], n);
                chunk.lengths[index] += n;
                taken += n;
            }
        }
        while (taken < length && count < capacity) {
            int slot = slotOf(count);
            // An empty buffer always gets its chunk, so a writer makes progress whatever other connections hold.
            SlotChunk chunk = payloads.acquire(slot, count == 0);
            if (chunk == null) {
                break;
            }
            int index = PayloadSlots.index(slot);
            int n = Math.min(length - taken, payloadSize);
            System.arraycopy(source, offset + taken, chunk.payload, payloads.offset(slot), n);
            chunk.lengths[index] = n;
            chunk.messageWords[index] = messageWord;
            chunk.sendTimes[index] = 0;
            count++;
            taken += n;
        }
        return taken;
    }

    /**
     * Whether {@code packets} more packets fit now, slots and memory both (a message goes in whole or not at all);
     * takes the chunks they need.
     */
    boolean reserve(int packets) {
        if (capacity - count < packets) {
            return false;
        }
        boolean needed = count == 0;
        for (int i = 0; i < packets; i++) {
            int slot = slotOf(count + i);
            if ((i == 0 || PayloadSlots.index(slot) == 0) && payloads.acquire(slot, needed) == null) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code sequence} is held (acknowledged packets are not). */
    boolean contains(int sequence) {
        int offset = SeqNo.offset(headSequence, sequence);
        return offset >= 0 && offset < count;
    }

    int length(int sequence) {
        int slot = slotOf(SeqNo.offset(headSequence, sequence));
        return payloads.chunk(slot).lengths[PayloadSlots.index(slot)];
    }

    int messageWord(int sequence) {
        int slot = slotOf(SeqNo.offset(headSequence, sequence));
        return payloads.chunk(slot).messageWords[PayloadSlots.index(slot)];
    }

    long sendTime(int sequence) {
        int slot = slotOf(SeqNo.offset(headSequence, sequence));
        return payloads.chunk(slot).sendTimes[PayloadSlots.index(slot)];
    }

    /** {@code sequence} left at {@code nanos}, for the first time or as a {@code retransmission}. */
    void setSendTime(int sequence, long nanos, boolean retransmission) {
        int slot = slotOf(SeqNo.offset(headSequence, sequence));
        payloads.chunk(slot).sendTimes[PayloadSlots.index(slot)] = nanos;
        resent.set(slot, retransmission);
    }

    /** Copies the payload of {@code sequence} into {@code target} at its position, advancing it. */
    void copyPayload(int sequence, ByteBuffer target) {
        int slot = slotOf(SeqNo.offset(headSequence, sequence));
        SlotChunk chunk = payloads.chunk(slot);
        target.put(chunk.payload, payloads.offset(slot), chunk.lengths[PayloadSlots.index(slot)]);
    }

    /** Releases every packet before {@code ack}; returns how many were released. */
    int acknowledge(int ack) {
        int offset = SeqNo.offset(headSequence, ack);
        if (offset <= 0) {
            return 0;
        }
        int released = Math.min(offset, count);
        for (int i = 0; i < released; i++) {
            int slot = slotOf(i);
            if (lost.get(slot)) {
                lost.clear(slot);
                lostCount--;
            }
        }
        int oldHead = headSlot;
        headSlot = (headSlot + released) % capacity;
        headSequence = SeqNo.add(headSequence, released);
        count -= released;
        releasePassedChunks(oldHead, released);
        return released;
    }

    /** Gives back the chunks that the {@code released} slots from {@code from} lay in, unless still in use. */
    private void releasePassedChunks(int from, int released) {
        int slot = from;
        int left = released;
        int chunks = 0;
        while (left > 0 && chunks++ <= payloads.chunkCount()) {
            int next = payloads.nextChunkStart(slot);
            int inChunk = (next == 0 ? capacity : next) - slot;
            int chunkIndex = slot / PayloadSlots.CHUNK_PACKETS;
            if (!holdsPackets(chunkIndex)) {
                payloads.release(chunkIndex);
            }
            left -= inChunk;
            slot = next;
        }
    }

    /** Whether a slot of chunk {@code chunkIndex} lies in the held range {@code [headSlot, headSlot + count)}. */
    private boolean holdsPackets(int chunkIndex) {
        if (count == 0) {
            return false;
        }
        int first = chunkIndex * PayloadSlots.CHUNK_PACKETS;
        int end = Math.min(first + PayloadSlots.CHUNK_PACKETS, capacity);
        int heldEnd = headSlot + count;
        if (heldEnd <= capacity) {
            return first < heldEnd && headSlot < end;
        }
        return headSlot < end || first < heldEnd - capacity;
    }

    /** Gives all memory back and holds nothing from now on (the connection is gone). */
    void close() {
        lost.clear();
        resent.clear();
        lostCount = 0;
        count = 0;
        payloads.close();
    }

    /** Chunks held now, for tests. */
    int heldChunks() {
        return payloads.heldChunks();
    }

    /**
     * Marks {@code first..last} lost, clipped to the packets held and sent before {@code firstUnsent}.
     *
     * @return how many were newly marked
     */
    int markLost(int first, int last, int firstUnsent) {
        return markLost(first, last, firstUnsent, false, 0);
    }

    /**
     * Like {@link #markLost(int, int, int)}, but leaves out packets last sent as a retransmission at or after
     * {@code resentSinceNanos}: a loss report sent before that retransmission could arrive says nothing about it.
     * A packet sent only once is always marked, however recently (the first report of a hole is never stale).
     */
    int markLostUnlessResentSince(int first, int last, int firstUnsent, long resentSinceNanos) {
        return markLost(first, last, firstUnsent, true, resentSinceNanos);
    }

    private int markLost(int first, int last, int firstUnsent, boolean skipRecent, long resentSinceNanos) {
        int from = Math.max(0, SeqNo.offset(headSequence, first));
        int to = Math.min(SeqNo.offset(headSequence, last), SeqNo.offset(headSequence, firstUnsent) - 1);
        to = Math.min(to, count - 1);
        int marked = 0;
        for (int i = from; i <= to; i++) {
            int slot = slotOf(i);
            if (lost.get(slot)) {
                continue;
            }
            if (skipRecent && resent.get(slot)
                    && payloads.chunk(slot).sendTimes[PayloadSlots.index(slot)] - resentSinceNanos >= 0) {
                continue;
            }
            lost.set(slot);
            marked++;
        }
        lostCount += marked;
        return marked;
    }

    /**
     * Marks lost, from {@code first} on (up to {@code firstUnsent}, at most {@code maxCount} packets), those last
     * sent at or before {@code cutoffNanos}; stops at the first packet sent only once after it, since every later
     * one left later still. A retransmission after the cutoff is skipped (it may yet arrive).
     *
     * @return how many were newly marked
     */
    int markSentBefore(int first, int firstUnsent, int maxCount, long cutoffNanos) {
        int from = Math.max(0, SeqNo.offset(headSequence, first));
        int to = Math.min(SeqNo.offset(headSequence, firstUnsent) - 1, count - 1);
        to = Math.min(to, from + maxCount - 1);
        int marked = 0;
        for (int i = from; i <= to; i++) {
            int slot = slotOf(i);
            if (payloads.chunk(slot).sendTimes[PayloadSlots.index(slot)] - cutoffNanos > 0) {
                if (!resent.get(slot)) {
                    break;
                }
                continue;
            }
            if (!lost.get(slot)) {
                lost.set(slot);
                marked++;
            }
        }
        lostCount += marked;
        return marked;
    }

    /** Unmarks {@code first..last} (clipped to the packets held): a dropped message is not retransmitted. */
    void clearLost(int first, int last) {
        int from = Math.max(0, SeqNo.offset(headSequence, first));
        int to = Math.min(SeqNo.offset(headSequence, last), count - 1);
        for (int i = from; i <= to; i++) {
            int slot = slotOf(i);
            if (lost.get(slot)) {
                lost.clear(slot);
                lostCount--;
            }
        }
    }

    boolean isLost(int sequence) {
        return lost.get(slotOf(SeqNo.offset(headSequence, sequence)));
    }

    int lostCount() {
        return lostCount;
    }

    /** Removes and returns the first lost sequence number, or -1 when none. */
    int pollLost() {
        if (lostCount == 0) {
            return -1;
        }
        int slot = lost.nextSetBit(headSlot);
        if (slot < 0) {
            slot = lost.nextSetBit(0);
        }
        lost.clear(slot);
        lostCount--;
        int offset = slot >= headSlot ? slot - headSlot : slot + capacity - headSlot;
        return SeqNo.add(headSequence, offset);
    }

    private int slotOf(int offsetFromHead) {
        int slot = headSlot + offsetFromHead;
        return slot >= capacity ? slot - capacity : slot;
    }
}
