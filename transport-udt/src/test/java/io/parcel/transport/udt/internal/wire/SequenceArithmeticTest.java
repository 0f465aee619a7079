package io.parcel.transport.udt.internal.wire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequenceArithmeticTest {
    @Test
    void compareIsWrapAware() {
        assertTrue(SeqNo.compare(1, 2) < 0);
        assertTrue(SeqNo.compare(2, 1) > 0);
        assertEquals(0, SeqNo.compare(5, 5));
        assertTrue(SeqNo.compare(SeqNo.MAX, 0) < 0, "MAX comes just before 0");
        assertTrue(SeqNo.compare(0, SeqNo.MAX) > 0);
        assertTrue(SeqNo.compare(SeqNo.MAX - 10, 10) < 0);
    }

    @Test
    void lengthIsInclusiveAcrossTheWrap() {
        assertEquals(1, SeqNo.length(7, 7));
        assertEquals(10, SeqNo.length(1, 10));
        assertEquals(2, SeqNo.length(SeqNo.MAX, 0));
        assertEquals(12, SeqNo.length(SeqNo.MAX - 1, 9));
    }

    @Test
    void offsetIsSignedAcrossTheWrap() {
        assertEquals(3, SeqNo.offset(4, 7));
        assertEquals(-3, SeqNo.offset(7, 4));
        assertEquals(1, SeqNo.offset(SeqNo.MAX, 0));
        assertEquals(-1, SeqNo.offset(0, SeqNo.MAX));
        assertEquals(11, SeqNo.offset(SeqNo.MAX - 5, 5));
    }

    @Test
    void incrementDecrementAndAddWrap() {
        assertEquals(0, SeqNo.increment(SeqNo.MAX));
        assertEquals(SeqNo.MAX, SeqNo.decrement(0));
        assertEquals(4, SeqNo.add(SeqNo.MAX - 1, 6));
        assertEquals(SeqNo.MAX - 1, SeqNo.add(4, -6));
        for (int seq : new int[] {0, 1, 12345, SeqNo.MAX - 3, SeqNo.MAX}) {
            for (int delta = -40; delta <= 40; delta++) {
                assertEquals(delta, SeqNo.offset(seq, SeqNo.add(seq, delta)), seq + " + " + delta);
            }
        }
    }

    @Test
    void ackNumbersWrapToZero() {
        assertEquals(0, AckNo.increment(AckNo.MAX));
        assertEquals(2, AckNo.increment(1));
    }

    @Test
    void messageNumbersWrapToOneNeverZero() {
        assertEquals(1, MsgNo.increment(MsgNo.MAX));
        assertEquals(2, MsgNo.increment(1));
        assertTrue(MsgNo.compare(MsgNo.MAX, 1) < 0);
        assertTrue(MsgNo.compare(3, 2) > 0);
    }
}
