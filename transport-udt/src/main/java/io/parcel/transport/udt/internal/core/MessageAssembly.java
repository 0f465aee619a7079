package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.wire.DataPacket;
import io.parcel.transport.udt.internal.wire.MsgNo;
import io.parcel.transport.udt.internal.wire.SeqNo;

import java.nio.ByteBuffer;

/**
 * Message mode (SOCK_DGRAM), receiver side: finds whole messages in the {@link ReceiveBuffer} by the boundary bits
 * of their packets and hands them out one at a time, as 4.11's {@code CRcvBuffer::readMsg} does:
 * <ul>
 * <li>a complete message at the start of the buffer is delivered whatever its in-order flag;</li>
 * <li>a complete message beyond a hole is delivered early only when its in-order flag is 0 (its packets then stay
 * in the buffer, marked delivered, until the start passes them);</li>
 * <li>packets at the start that cannot belong to a complete message (a dropped or skipped first packet, a message
 * broken by a drop request) are discarded;</li>
 * <li>a drop request fills the holes of its range with empty markers (so the ACK point moves past them) and
 * marks the held packets of that message dropped.</li>
 * </ul>
 * Keeps one message word and one mark per receive-buffer slot, aligned with the buffer's start (the connection
 * moves the start only through this class in message mode). Not thread-safe: the connection's lock guards it.
 */
final class MessageAssembly {
    private static final byte ABSENT = 0;
    private static final byte PRESENT = 1;
    private static final byte DROPPED = 2;
    private static final byte DELIVERED = 3;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final ReceiveBuffer buffer;
    private final int capacity;
    private final int[] words;
    private final byte[] marks;
    private int baseSequence;
    private int baseSlot;

    // the result of the last scan, valid until something changes
    private boolean scanned;
    private boolean found;
    private int candidateFirst;
    private int candidatePackets;
    private int candidateLength;

    private long delivered;
    private long deliveredEarly;
    private long discardedPackets;
    private long dropRequests;

    MessageAssembly(ReceiveBuffer buffer) {
        this.buffer = buffer;
        this.capacity = buffer.capacity();
        this.words = new int[capacity];
        this.marks = new byte[capacity];
        this.baseSequence = buffer.startSequence();
    }

    /** A data packet the buffer just stored at {@code sequence}, with its word 1. */
    void onData(int sequence, int messageWord) {
        int slot = slotOf(sequence);
        words[slot] = messageWord;
        marks[slot] = PRESENT;
        scanned = false;
    }

    /**
     * A message drop request: the packets {@code first..last} (clipped to the buffer window) that are missing get
     * empty markers, held packets of message {@code messageNumber} anywhere in the window are dropped.
     *
     * @param largestReceived the largest sequence received so far (bounds the search for held packets)
     */
    void drop(int messageNumber, int first, int last, int largestReceived) {
        dropRequests++;
        int start = buffer.startSequence();
        int from = Math.max(0, SeqNo.offset(start, first));
        int to = Math.min(SeqNo.offset(start, last), capacity - 1);
        for (int offset = from; offset <= to; offset++) {
            int sequence = SeqNo.add(start, offset);
            int slot = slotOf(sequence);
            if (marks[slot] == ABSENT && buffer.accepts(sequence)) {
                buffer.insert(sequence, EMPTY.duplicate());
                marks[slot] = DROPPED;
            }
        }
        int end = Math.min(Math.max(SeqNo.offset(start, largestReceived), to), capacity - 1);
        for (int offset = 0; offset <= end; offset++) {
            int slot = slotOf(SeqNo.add(start, offset));
            if (marks[slot] == PRESENT && (words[slot] & MsgNo.MAX) == messageNumber) {
                marks[slot] = DROPPED;
            }
        }
        scanned = false;
    }

    /** The length of the message {@link #read} would return now, or -1 when no whole message is ready. */
    int nextLength(int largestReceived) {
        scan(largestReceived);
        return found ? candidateLength : -1;
    }

    /**
     * Copies the next whole message into {@code target} (which must have room for {@link #nextLength}) and
     * releases it.
     *
     * @return its length, or -1 when none is ready
     */
    int read(ByteBuffer target, int largestReceived) {
        scan(largestReceived);
        if (!found) {
            return -1;
        }
        if (target.remaining() < candidateLength) {
            throw new IllegalArgumentException("message of " + candidateLength + " bytes does not fit "
                    + target.remaining() + " bytes");
        }
        for (int i = 0; i < candidatePackets; i++) {
            buffer.copy(SeqNo.add(candidateFirst, i), target);
        }
        if (candidateFirst == buffer.startSequence()) {
            moveStart(SeqNo.add(candidateFirst, candidatePackets));
        } else {
            for (int i = 0; i < candidatePackets; i++) {
                marks[slotOf(SeqNo.add(candidateFirst, i))] = DELIVERED;
            }
            deliveredEarly++;
        }
        delivered++;
        scanned = false;
        return candidateLength;
    }

    long delivered() {
        return delivered;
    }

    long deliveredEarly() {
        return deliveredEarly;
    }

    long discardedPackets() {
        return discardedPackets;
    }

    long dropRequests() {
        return dropRequests;
    }

    private void scan(int largestReceived) {
        if (scanned) {
            return;
        }
        scanned = true;
        found = false;
        // at the start, everything up to the first hole is held (data or markers): deliver or discard
        int start = buffer.startSequence();
        int firstMissing = buffer.firstMissing();
        int at = start;
        while (at != firstMissing) {
            int slot = slotOf(at);
            if (marks[slot] == PRESENT && isFirstPacket(words[slot])) {
                int extent = extent(at, SeqNo.offset(at, firstMissing));
                if (extent > 0) {
                    found = true;
                    candidateFirst = at;
                    candidatePackets = extent;
                    break;
                }
                if (extent == 0) {
                    break; // whole so far, the rest is still to come
                }
                discardedPackets += -extent;
                at = SeqNo.add(at, -extent);
                continue;
            }
            if (marks[slot] == PRESENT) {
                discardedPackets++;
            }
            at = SeqNo.increment(at);
        }
        if (at != start) {
            moveStart(at);
        }
        if (!found) {
            // beyond the first hole: only messages sent with the in-order flag 0 may overtake
            int held = SeqNo.offset(buffer.startSequence(), largestReceived) + 1;
            for (int offset = Math.max(0, SeqNo.offset(buffer.startSequence(), buffer.firstMissing()));
                    offset < Math.min(held, capacity); ) {
                int sequence = SeqNo.add(buffer.startSequence(), offset);
                int slot = slotOf(sequence);
                if (marks[slot] == PRESENT && isFirstPacket(words[slot])
                        && (words[slot] & DataPacket.IN_ORDER_FLAG) == 0) {
                    int extent = extent(sequence, Math.min(held, capacity) - offset);
                    if (extent > 0) {
                        found = true;
                        candidateFirst = sequence;
                        candidatePackets = extent;
                        break;
                    }
                    offset += Math.max(1, -extent);
                    continue;
                }
                offset++;
            }
        }
        if (found) {
            candidateLength = 0;
            for (int i = 0; i < candidatePackets; i++) {
                candidateLength += buffer.length(SeqNo.add(candidateFirst, i));
            }
        }
    }

    /**
     * How many packets the message starting at {@code first} has if all are held within the next {@code limit}
     * packets; 0 when it may still complete; minus the packets to discard when it never can (a packet dropped or
     * delivered, another message's packet, or a new first packet in the middle).
     */
    private int extent(int first, int limit) {
        int messageNumber = words[slotOf(first)] & MsgNo.MAX;
        for (int k = 0; k < limit; k++) {
            int slot = slotOf(SeqNo.add(first, k));
            byte mark = marks[slot];
            if (mark == ABSENT) {
                return 0;
            }
            int word = words[slot];
            if (mark != PRESENT || (word & MsgNo.MAX) != messageNumber || (k > 0 && isFirstPacket(word))) {
                return -Math.max(k, 1);
            }
            int boundary = DataPacket.boundaryOf(word);
            if (boundary == DataPacket.BOUNDARY_LAST || boundary == DataPacket.BOUNDARY_SOLO) {
                return k + 1;
            }
        }
        return 0;
    }

    private static boolean isFirstPacket(int word) {
        int boundary = DataPacket.boundaryOf(word);
        return boundary == DataPacket.BOUNDARY_FIRST || boundary == DataPacket.BOUNDARY_SOLO;
    }

    /** Releases the buffer up to {@code sequence} and keeps the marks aligned with its new start. */
    private void moveStart(int sequence) {
        buffer.skipTo(sequence);
        int moved = SeqNo.offset(baseSequence, sequence);
        for (int i = 0; i < moved; i++) {
            int slot = baseSlot + i;
            marks[slot >= capacity ? slot % capacity : slot] = ABSENT;
        }
        baseSlot = (baseSlot + moved) % capacity;
        baseSequence = sequence;
    }

    private int slotOf(int sequence) {
        int slot = baseSlot + SeqNo.offset(baseSequence, sequence);
        return slot >= capacity ? slot - capacity : slot;
    }
}
