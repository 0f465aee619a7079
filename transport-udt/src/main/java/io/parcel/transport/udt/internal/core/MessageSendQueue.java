package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.wire.SeqNo;

/**
 * Message mode (SOCK_DGRAM), sender side: which packets form which message, when each message was handed over and
 * how long it may live, for every message not yet fully acknowledged. The payload itself stays in the
 * {@link SendBuffer}; this is a ring of records in sequence order (every message has at least one packet, so the
 * send buffer's capacity bounds it). Not thread-safe: the owning connection's lock guards it.
 */
final class MessageSendQueue {
    /** A TTL meaning "never expires" (4.11's -1). */
    static final long FOREVER = -1;

    private final int capacity;
    private final int[] messageNumbers;
    private final int[] firstSequences;
    private final int[] packetCounts;
    private final long[] originNanos;
    private final long[] ttlNanos;
    private final boolean[] dropped;
    private int head;
    private int count;

    MessageSendQueue(int capacity) {
        this.capacity = capacity;
        this.messageNumbers = new int[capacity];
        this.firstSequences = new int[capacity];
        this.packetCounts = new int[capacity];
        this.originNanos = new long[capacity];
        this.ttlNanos = new long[capacity];
        this.dropped = new boolean[capacity];
    }

    int size() {
        return count;
    }

    /** Records a message of {@code packets} packets from {@code firstSequence}; {@code ttl} < 0 is forever. */
    void add(int messageNumber, int firstSequence, int packets, long nowNanos, long ttl) {
        if (count == capacity) {
            throw new IllegalStateException("more messages than send buffer packets");
        }
        int slot = slotOf(count);
        messageNumbers[slot] = messageNumber;
        firstSequences[slot] = firstSequence;
        packetCounts[slot] = packets;
        originNanos[slot] = nowNanos;
        ttlNanos[slot] = ttl;
        dropped[slot] = false;
        count++;
    }

    /** Forgets every message whose packets all precede {@code ack}. */
    void acknowledge(int ack) {
        while (count > 0) {
            int last = SeqNo.add(firstSequences[head], packetCounts[head] - 1);
            if (SeqNo.compare(last, ack) >= 0) {
                return;
            }
            head = head + 1 == capacity ? 0 : head + 1;
            count--;
        }
    }

    /** The index (for the accessors below) of the message holding {@code sequence}, or -1. */
    int find(int sequence) {
        int low = 0;
        int high = count - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int slot = slotOf(middle);
            int first = firstSequences[slot];
            if (SeqNo.compare(sequence, first) < 0) {
                high = middle - 1;
            } else if (SeqNo.offset(first, sequence) >= packetCounts[slot]) {
                low = middle + 1;
            } else {
                return middle;
            }
        }
        return -1;
    }

    /** Whether message {@code index} outlived its TTL (4.11: more than TTL since it was handed over) or was dropped. */
    boolean isExpired(int index, long nowNanos) {
        int slot = slotOf(index);
        return dropped[slot] || (ttlNanos[slot] >= 0 && nowNanos - originNanos[slot] > ttlNanos[slot]);
    }

    void markDropped(int index) {
        dropped[slotOf(index)] = true;
    }

    int messageNumber(int index) {
        return messageNumbers[slotOf(index)];
    }

    int firstSequence(int index) {
        return firstSequences[slotOf(index)];
    }

    int lastSequence(int index) {
        int slot = slotOf(index);
        return SeqNo.add(firstSequences[slot], packetCounts[slot] - 1);
    }

    private int slotOf(int index) {
        int slot = head + index;
        return slot >= capacity ? slot - capacity : slot;
    }
}
