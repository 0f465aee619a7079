package io.parcel.transport.udt.internal.wire;

import java.nio.ByteBuffer;

/**
 * Control packet header: word 0 = 1 + 15-bit type + 16-bit extended type; word 1 = additional info; word 2 =
 * timestamp (UDT 4.11 always sends 0); word 3 = destination socket id. The body follows at {@link #BODY_OFFSET}.
 */
public final class ControlPacket {
    public static final int TYPE_SHIFT = 16;
    public static final int TYPE_MASK = 0x7FFF;
    public static final int EXTENDED_TYPE_MASK = 0xFFFF;
    public static final int ADDITIONAL_INFO_OFFSET = Packet.WORD1_OFFSET;
    public static final int BODY_OFFSET = Packet.HEADER_LENGTH;

    public static final int TYPE_HANDSHAKE = 0;
    public static final int TYPE_KEEP_ALIVE = 1;
    public static final int TYPE_ACK = 2;
    public static final int TYPE_NAK = 3;
    public static final int TYPE_CONGESTION_WARNING = 4;
    public static final int TYPE_SHUTDOWN = 5;
    public static final int TYPE_ACK2 = 6;
    public static final int TYPE_DROP_REQUEST = 7;
    public static final int TYPE_ERROR = 8;
    /** The error code 4.11 sends (EFILE: its {@code recvfile} could not write what it received). */
    public static final int ERROR_FILE = 4000;
    /**
     * Our error code: the peer closed while data it had sent was still unacknowledged (its linger ran out, or it
     * closed without one), so what was read so far may lack the end. 4.11 never sends it and treats any code alike.
     */
    public static final int ERROR_UNACKNOWLEDGED_CLOSE = 4100;
    public static final int TYPE_USER_DEFINED = 0x7FFF;

    /**
     * Bodies 4.11 leaves empty still carry one zero word on the wire ("writev does not allow" an empty body), so
     * we send the same.
     */
    public static final int PAD_BODY_LENGTH = 4;

    private ControlPacket() {
    }

    public static int type(ByteBuffer packet) {
        return (packet.getInt(Packet.WORD0_OFFSET) >>> TYPE_SHIFT) & TYPE_MASK;
    }

    public static int extendedType(ByteBuffer packet) {
        return packet.getInt(Packet.WORD0_OFFSET) & EXTENDED_TYPE_MASK;
    }

    public static int additionalInfo(ByteBuffer packet) {
        return packet.getInt(ADDITIONAL_INFO_OFFSET);
    }

    public static void writeHeader(ByteBuffer packet, int type, int extendedType, int additionalInfo,
            int destinationSocketId) {
        packet.putInt(Packet.WORD0_OFFSET, Packet.CONTROL_FLAG | ((type & TYPE_MASK) << TYPE_SHIFT)
                | (extendedType & EXTENDED_TYPE_MASK));
        packet.putInt(ADDITIONAL_INFO_OFFSET, additionalInfo);
        packet.putInt(Packet.TIMESTAMP_OFFSET, 0);
        packet.putInt(Packet.DESTINATION_SOCKET_ID_OFFSET, destinationSocketId);
    }

    /**
     * Writes a header and a one-word zero body (keep-alive, shutdown, ACK2, congestion warning, error) into
     * {@code packet} from index 0 and sets its position 0 and limit to the packet length.
     */
    public static void writePadded(ByteBuffer packet, int type, int extendedType, int additionalInfo,
            int destinationSocketId) {
        packet.clear();
        writeHeader(packet, type, extendedType, additionalInfo, destinationSocketId);
        packet.putInt(BODY_OFFSET, 0);
        packet.limit(BODY_OFFSET + PAD_BODY_LENGTH);
    }
}
