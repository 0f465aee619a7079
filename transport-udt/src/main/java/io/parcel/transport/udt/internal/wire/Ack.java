package io.parcel.transport.udt.internal.wire;

import java.nio.ByteBuffer;

/**
 * ACK bodies (control type 2, additional info = ACK sequence number, or 0 for a light ACK). A light ACK carries
 * only the ACK number (4 bytes) and is recognised by its length alone; a full ACK carries 4 or 6 words.
 * The available buffer is in packets (the draft says bytes; the 4.11 code sends packets).
 */
public final class Ack {
    public static final int ACK_NUMBER_OFFSET = ControlPacket.BODY_OFFSET;
    public static final int RTT_OFFSET = ACK_NUMBER_OFFSET + 4;
    public static final int RTT_VARIANCE_OFFSET = RTT_OFFSET + 4;
    public static final int AVAILABLE_BUFFER_OFFSET = RTT_VARIANCE_OFFSET + 4;
    public static final int RECEIVE_RATE_OFFSET = AVAILABLE_BUFFER_OFFSET + 4;
    public static final int LINK_CAPACITY_OFFSET = RECEIVE_RATE_OFFSET + 4;

    public static final int LIGHT_BODY_LENGTH = 4;
    public static final int SHORT_BODY_LENGTH = 16;
    public static final int FULL_BODY_LENGTH = 24;

    private Ack() {
    }

    public static int ackNumber(ByteBuffer packet) {
        return packet.getInt(ACK_NUMBER_OFFSET);
    }

    public static int rtt(ByteBuffer packet) {
        return packet.getInt(RTT_OFFSET);
    }

    public static int rttVariance(ByteBuffer packet) {
        return packet.getInt(RTT_VARIANCE_OFFSET);
    }

    public static int availableBuffer(ByteBuffer packet) {
        return packet.getInt(AVAILABLE_BUFFER_OFFSET);
    }

    public static int receiveRate(ByteBuffer packet) {
        return packet.getInt(RECEIVE_RATE_OFFSET);
    }

    public static int linkCapacity(ByteBuffer packet) {
        return packet.getInt(LINK_CAPACITY_OFFSET);
    }

    public static void writeLight(ByteBuffer packet, int ackNumber, int destinationSocketId) {
        packet.clear();
        ControlPacket.writeHeader(packet, ControlPacket.TYPE_ACK, 0, 0, destinationSocketId);
        packet.putInt(ACK_NUMBER_OFFSET, ackNumber);
        packet.limit(ControlPacket.BODY_OFFSET + LIGHT_BODY_LENGTH);
    }

    /** A full ACK; the 24-byte form when {@code withRates}, else the 16-byte form. */
    public static void writeFull(ByteBuffer packet, int ackSequence, int ackNumber, int rtt, int rttVariance,
            int availableBuffer, boolean withRates, int receiveRate, int linkCapacity, int destinationSocketId) {
        packet.clear();
        ControlPacket.writeHeader(packet, ControlPacket.TYPE_ACK, 0, ackSequence, destinationSocketId);
        packet.putInt(ACK_NUMBER_OFFSET, ackNumber);
        packet.putInt(RTT_OFFSET, rtt);
        packet.putInt(RTT_VARIANCE_OFFSET, rttVariance);
        packet.putInt(AVAILABLE_BUFFER_OFFSET, availableBuffer);
        if (withRates) {
            packet.putInt(RECEIVE_RATE_OFFSET, receiveRate);
            packet.putInt(LINK_CAPACITY_OFFSET, linkCapacity);
            packet.limit(ControlPacket.BODY_OFFSET + FULL_BODY_LENGTH);
        } else {
            packet.limit(ControlPacket.BODY_OFFSET + SHORT_BODY_LENGTH);
        }
    }
}
