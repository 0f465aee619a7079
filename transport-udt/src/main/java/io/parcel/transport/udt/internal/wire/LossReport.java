package io.parcel.transport.udt.internal.wire;

import java.nio.ByteBuffer;

/**
 * The NAK (control type 3) body: 32-bit words; a word with bit 31 clear is one lost sequence number, a word with
 * bit 31 set starts a range whose last (inclusive) number is the next word. 4.11 uses a range only for two or more
 * packets.
 */
public final class LossReport {
    public static final int BODY_OFFSET = ControlPacket.BODY_OFFSET;
    public static final int RANGE_FLAG = 0x80000000;

    /** Receives the decoded ranges of a loss report. */
    public interface RangeConsumer {
        void range(int first, int last);
    }

    private LossReport() {
    }

    /** Starts a NAK in {@code packet}: header only, position at the body, limit at capacity. */
    public static void begin(ByteBuffer packet, int destinationSocketId) {
        packet.clear();
        ControlPacket.writeHeader(packet, ControlPacket.TYPE_NAK, 0, 0, destinationSocketId);
        packet.position(BODY_OFFSET);
    }

    /** Appends one range (single number when {@code first == last}); false when it does not fit. */
    public static boolean append(ByteBuffer packet, int first, int last) {
        if (first == last) {
            if (packet.remaining() < 4) {
                return false;
            }
            packet.putInt(first & SeqNo.MAX);
        } else {
            if (packet.remaining() < 8) {
                return false;
            }
            packet.putInt(RANGE_FLAG | (first & SeqNo.MAX));
            packet.putInt(last & SeqNo.MAX);
        }
        return true;
    }

    /** Ends a NAK begun with {@link #begin}: position 0, limit at the end of the body. */
    public static void end(ByteBuffer packet) {
        packet.flip();
    }

    /**
     * Decodes the body of {@code packet} (from the body offset to its limit).
     *
     * @return false when the body is malformed (odd trailing bytes, a range start without its end, an end with
     *         bit 31 set); ranges already passed to {@code consumer} stay passed
     */
    public static boolean decode(ByteBuffer packet, RangeConsumer consumer) {
        int end = packet.limit();
        if ((end - BODY_OFFSET) % 4 != 0 || end <= BODY_OFFSET) {
            return false;
        }
        for (int at = BODY_OFFSET; at < end; at += 4) {
            int word = packet.getInt(at);
            if ((word & RANGE_FLAG) != 0) {
                if (at + 4 >= end) {
                    return false;
                }
                int last = packet.getInt(at + 4);
                if ((last & RANGE_FLAG) != 0) {
                    return false;
                }
                consumer.range(word & SeqNo.MAX, last);
                at += 4;
            } else {
                consumer.range(word, word);
            }
        }
        return true;
    }
}
