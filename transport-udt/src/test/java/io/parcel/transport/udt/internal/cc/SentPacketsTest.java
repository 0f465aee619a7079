package io.parcel.transport.udt.internal.cc;

import io.parcel.transport.udt.internal.wire.SeqNo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentPacketsTest {
    /** Records {@code count} first transmissions from {@code first} on; the ACK point stays at {@code first}. */
    private static int sendFrom(SentPackets packets, int first, int count) {
        int sequence = first;
        for (int i = 0; i < count; i++) {
            packets.cover(SeqNo.decrement(first), sequence);
            packets.sentFirst(sequence, 1_000L + i, i / 10);
            sequence = SeqNo.increment(sequence);
        }
        return sequence;
    }

    @Test
    void aFlightThatFitsKeepsTheInitialSlots() {
        SentPackets packets = new SentPackets();
        int first = 5;
        int next = first;
        // a steady flow: the ACK point follows 200 packets behind the newest one
        for (int i = 0; i < 100_000; i++) {
            int oldest = SeqNo.offset(first, next) > 200 ? next - 200 : first;
            packets.cover(SeqNo.decrement(oldest), next);
            packets.sentFirst(next, i, 0);
            next = SeqNo.increment(next);
        }
        assertEquals(SentPackets.INITIAL_SLOTS, packets.capacity());
    }

    @Test
    void growsWithTheFlightAndKeepsWhatWasRecorded() {
        SentPackets packets = new SentPackets(16);
        int first = 100;
        packets.cover(SeqNo.decrement(first), first);
        packets.sentFirst(first, 1_000L, 0);
        packets.setReported(first, true);
        packets.resent(first, 2_000L);
        int next = sendFrom(packets, SeqNo.increment(first), 40);

        assertEquals(64, packets.capacity(), "41 packets plus the one before the ACK point need 64 slots");
        assertEquals(1_000L, packets.sendTime(first));
        assertTrue(packets.reported(first));
        assertEquals(2_000L, packets.resendTime(first));
        int sequence = SeqNo.increment(first);
        for (int i = 0; sequence != next; i++, sequence = SeqNo.increment(sequence)) {
            assertEquals(1_000L + i, packets.sendTime(sequence), "send time of " + sequence);
            assertEquals(i / 10, packets.resentBefore(sequence), "resent before " + sequence);
            assertFalse(packets.reported(sequence));
            assertEquals(0, packets.resendTime(sequence));
        }
    }

    @Test
    void growsAcrossTheSequenceWrap() {
        SentPackets packets = new SentPackets(16);
        int first = SeqNo.MAX - 9;
        int next = sendFrom(packets, first, 30);

        assertEquals(32, packets.capacity());
        for (int i = 0, sequence = first; sequence != next; i++, sequence = SeqNo.increment(sequence)) {
            assertEquals(1_000L + i, packets.sendTime(sequence), "send time of " + sequence);
        }
    }

    @Test
    void stopsGrowingAtTheMaximum() {
        SentPackets packets = new SentPackets(SentPackets.MAX_SLOTS / 2);
        packets.cover(0, SentPackets.MAX_SLOTS * 3);

        assertEquals(SentPackets.MAX_SLOTS, packets.capacity());
    }

    @Test
    void aNewFirstTransmissionClearsTheSlotsRetransmissionTime() {
        SentPackets packets = new SentPackets(16);
        packets.sentFirst(3, 10L, 0);
        packets.resent(3, 20L);
        packets.sentFirst(3 + 16, 30L, 1);

        assertEquals(0, packets.resendTime(3 + 16));
        assertEquals(30L, packets.sendTime(3 + 16));
    }

    @Test
    void rejectsASlotCountThatIsNoPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new SentPackets(1000));
        assertThrows(IllegalArgumentException.class, () -> new SentPackets(SentPackets.MAX_SLOTS * 2));
    }
}
