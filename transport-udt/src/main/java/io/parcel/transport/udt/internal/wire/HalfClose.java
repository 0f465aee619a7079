package io.parcel.transport.udt.internal.wire;

import java.nio.ByteBuffer;

/**
 * Parcel's half-close, which UDT4 lacks on the wire: a user-defined control packet (type 0x7FFF) whose extended
 * type is {@link #EXTENDED_TYPE_FIN} and whose one-word body is the sequence number that follows the sender's
 * last data packet; the receiver answers {@link #EXTENDED_TYPE_FIN_ACK} with the same word. A 4.11 peer passes
 * user-defined packets to its congestion control, whose native implementation ignores them, so talking to a C++
 * peer is unaffected: there half-close simply is not available and a read ends with the peer's close.
 */
public final class HalfClose {
    public static final int EXTENDED_TYPE_FIN = 0x5046;      // "PF"
    public static final int EXTENDED_TYPE_FIN_ACK = 0x5041;  // "PA"
    public static final int END_SEQUENCE_OFFSET = ControlPacket.BODY_OFFSET;
    public static final int BODY_LENGTH = 4;

    private HalfClose() {
    }

    public static int endSequence(ByteBuffer packet) {
        return packet.getInt(END_SEQUENCE_OFFSET) & SeqNo.MAX;
    }

    public static void write(ByteBuffer packet, int extendedType, int endSequence, int destinationSocketId) {
        packet.clear();
        ControlPacket.writeHeader(packet, ControlPacket.TYPE_USER_DEFINED, extendedType, 0, destinationSocketId);
        packet.putInt(END_SEQUENCE_OFFSET, endSequence);
        packet.limit(ControlPacket.BODY_OFFSET + BODY_LENGTH);
    }
}
