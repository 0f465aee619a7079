package io.parcel.transport.udt.internal.wire;

import java.nio.ByteBuffer;

/**
 * Data packet header: word 0 = 0 + 31-bit sequence number; word 1 = 2-bit message boundary, 1-bit in-order flag,
 * 29-bit message number; word 2 = timestamp (µs since the sender opened); word 3 = destination socket id.
 */
public final class DataPacket {
    public static final int SEQUENCE_OFFSET = Packet.WORD0_OFFSET;
    public static final int MESSAGE_OFFSET = Packet.WORD1_OFFSET;

    /** Boundary bits (word 1, bits 31-30). */
    public static final int BOUNDARY_SHIFT = 30;
    public static final int BOUNDARY_MIDDLE = 0b00;
    public static final int BOUNDARY_LAST = 0b01;
    public static final int BOUNDARY_FIRST = 0b10;
    public static final int BOUNDARY_SOLO = 0b11;
    public static final int IN_ORDER_FLAG = 0x20000000;

    private DataPacket() {
    }

    public static int sequence(ByteBuffer packet) {
        return packet.getInt(SEQUENCE_OFFSET) & SeqNo.MAX;
    }

    public static int boundary(ByteBuffer packet) {
        return packet.getInt(MESSAGE_OFFSET) >>> BOUNDARY_SHIFT;
    }

    public static boolean inOrder(ByteBuffer packet) {
        return (packet.getInt(MESSAGE_OFFSET) & IN_ORDER_FLAG) != 0;
    }

    /** The whole word 1: boundary bits, in-order flag and message number. */
    public static int messageWord(ByteBuffer packet) {
        return packet.getInt(MESSAGE_OFFSET);
    }

    /** The boundary bits of a word-1 value. */
    public static int boundaryOf(int messageWord) {
        return messageWord >>> BOUNDARY_SHIFT;
    }

    public static int messageNumber(ByteBuffer packet) {
        return packet.getInt(MESSAGE_OFFSET) & MsgNo.MAX;
    }

    /** The word-1 value for a packet of a message. */
    public static int messageWord(int boundary, boolean inOrder, int messageNumber) {
        return (boundary << BOUNDARY_SHIFT) | (inOrder ? IN_ORDER_FLAG : 0) | (messageNumber & MsgNo.MAX);
    }

    public static void writeHeader(ByteBuffer packet, int sequence, int messageWord, int timestamp,
            int destinationSocketId) {
        packet.putInt(SEQUENCE_OFFSET, sequence & SeqNo.MAX);
        packet.putInt(MESSAGE_OFFSET, messageWord);
        packet.putInt(Packet.TIMESTAMP_OFFSET, timestamp);
        packet.putInt(Packet.DESTINATION_SOCKET_ID_OFFSET, destinationSocketId);
    }
}
