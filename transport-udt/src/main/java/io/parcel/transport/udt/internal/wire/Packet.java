package io.parcel.transport.udt.internal.wire;

import java.nio.ByteBuffer;

/**
 * The 16-byte header every UDT packet starts with (four big-endian words). Accessors use absolute offsets from
 * index 0 of the buffer and never move its position; {@link ByteBuffer}s are big-endian unless someone changed
 * them, and UDT's wire order is big-endian.
 */
public final class Packet {
    public static final int HEADER_LENGTH = 16;
    /** Word 0: the control flag (bit 31) and either the sequence number or the control type. */
    public static final int WORD0_OFFSET = 0;
    /** Word 1: message word of data packets, additional info of control packets. */
    public static final int WORD1_OFFSET = 4;
    public static final int TIMESTAMP_OFFSET = 8;
    public static final int DESTINATION_SOCKET_ID_OFFSET = 12;

    public static final int CONTROL_FLAG = 0x80000000;

    private Packet() {
    }

    public static boolean isControl(ByteBuffer packet) {
        return (packet.getInt(WORD0_OFFSET) & CONTROL_FLAG) != 0;
    }

    public static int timestamp(ByteBuffer packet) {
        return packet.getInt(TIMESTAMP_OFFSET);
    }

    public static int destinationSocketId(ByteBuffer packet) {
        return packet.getInt(DESTINATION_SOCKET_ID_OFFSET);
    }

    public static int bodyLength(ByteBuffer packet) {
        return packet.limit() - HEADER_LENGTH;
    }
}
