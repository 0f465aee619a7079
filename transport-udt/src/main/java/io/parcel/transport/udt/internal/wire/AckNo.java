package io.parcel.transport.udt.internal.wire;

/** ACK sequence numbers (the id of a full ACK, echoed by ACK2): 31 bits, wrapping to 0; the first used is 1. */
public final class AckNo {
    public static final int MAX = 0x7FFFFFFF;

    private AckNo() {
    }

    public static int increment(int ackNo) {
        return ackNo == MAX ? 0 : ackNo + 1;
    }
}
