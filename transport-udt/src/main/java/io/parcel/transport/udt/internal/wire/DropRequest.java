package io.parcel.transport.udt.internal.wire;

import java.nio.ByteBuffer;

/** Message drop request (control type 7): additional info = message number, body = first and last sequence. */
public final class DropRequest {
    public static final int FIRST_SEQUENCE_OFFSET = ControlPacket.BODY_OFFSET;
    public static final int LAST_SEQUENCE_OFFSET = FIRST_SEQUENCE_OFFSET + 4;
    public static final int BODY_LENGTH = 8;

    private DropRequest() {
    }

    public static int messageNumber(ByteBuffer packet) {
        return ControlPacket.additionalInfo(packet) & MsgNo.MAX;
    }

    public static int firstSequence(ByteBuffer packet) {
        return packet.getInt(FIRST_SEQUENCE_OFFSET);
    }

    public static int lastSequence(ByteBuffer packet) {
        return packet.getInt(LAST_SEQUENCE_OFFSET);
    }

    public static void write(ByteBuffer packet, int messageNumber, int first, int last, int destinationSocketId) {
        packet.clear();
        ControlPacket.writeHeader(packet, ControlPacket.TYPE_DROP_REQUEST, 0, messageNumber & MsgNo.MAX,
                destinationSocketId);
        packet.putInt(FIRST_SEQUENCE_OFFSET, first);
        packet.putInt(LAST_SEQUENCE_OFFSET, last);
        packet.limit(ControlPacket.BODY_OFFSET + BODY_LENGTH);
    }
}
