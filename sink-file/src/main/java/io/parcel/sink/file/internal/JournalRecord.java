package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The journal's record layout. A journal is a header record followed by range records, each framed as
 * <pre>
 *   LENGTH_OFFSET   int   payload length N
 *   TYPE_OFFSET     byte  record type
 *   PAYLOAD_OFFSET  N     payload
 *   5 + N           int   CRC-32C of the bytes [0, 5 + N)
 * </pre>
 * big-endian, so a record cut short by a crash fails its checksum and is ignored with everything after it.
 */
final class JournalRecord {
    static final int LENGTH_OFFSET = 0;
    static final int TYPE_OFFSET = 4;
    static final int PAYLOAD_OFFSET = 5;
    static final int CHECKSUM_LENGTH = 4;
    static final int FRAME_OVERHEAD = PAYLOAD_OFFSET + CHECKSUM_LENGTH;
    /** No valid record is bigger; a larger length field is garbage. */
    static final int MAX_PAYLOAD = 4096;

    static final byte TYPE_HEADER = 'H';
    static final byte TYPE_RANGE = 'R';

    /** Header payload: magic, format version, resource size, then validator and MD5 as length-prefixed UTF-8. */
    static final int HEADER_MAGIC_OFFSET = 0;
    static final int HEADER_VERSION_OFFSET = 4;
    static final int HEADER_SIZE_OFFSET = 6;
    static final int HEADER_STRINGS_OFFSET = 14;
    static final int MAGIC = 0x50434a4c; // "PCJL": Parcel journal
    static final short VERSION = 1;

    /** Range payload: start and end (exclusive) offsets. */
    static final int RANGE_START_OFFSET = 0;
    static final int RANGE_END_OFFSET = 8;
    static final int RANGE_PAYLOAD_LENGTH = 16;
    static final int RANGE_RECORD_LENGTH = FRAME_OVERHEAD + RANGE_PAYLOAD_LENGTH;

    private JournalRecord() {
    }

    static byte[] header(long size, Optional<String> validator, Optional<String> md5) {
        byte[] validatorBytes = validator.orElse("").getBytes(StandardCharsets.UTF_8);
        byte[] md5Bytes = md5.orElse("").getBytes(StandardCharsets.UTF_8);
        int stringsLength = 2 + validatorBytes.length + 2 + md5Bytes.length;
        if (HEADER_STRINGS_OFFSET + stringsLength > MAX_PAYLOAD) {
            throw new IllegalArgumentException("validator too long for the journal: " + validatorBytes.length + " bytes");
        }
        ByteBuffer payload = ByteBuffer.allocate(HEADER_STRINGS_OFFSET + stringsLength).order(ByteOrder.BIG_ENDIAN);
        payload.putInt(HEADER_MAGIC_OFFSET, MAGIC);
        payload.putShort(HEADER_VERSION_OFFSET, VERSION);
        payload.putLong(HEADER_SIZE_OFFSET, size);
        payload.position(HEADER_STRINGS_OFFSET);
        payload.putShort((short) validatorBytes.length).put(validatorBytes);
        payload.putShort((short) md5Bytes.length).put(md5Bytes);
        return frame(TYPE_HEADER, payload.array());
    }

    static byte[] range(ByteRange range) {
        ByteBuffer payload = ByteBuffer.allocate(RANGE_PAYLOAD_LENGTH).order(ByteOrder.BIG_ENDIAN);
        payload.putLong(RANGE_START_OFFSET, range.start());
        payload.putLong(RANGE_END_OFFSET, range.end());
        return frame(TYPE_RANGE, payload.array());
    }

    private static byte[] frame(byte type, byte[] payload) {
        ByteBuffer record = ByteBuffer.allocate(FRAME_OVERHEAD + payload.length).order(ByteOrder.BIG_ENDIAN);
        record.putInt(LENGTH_OFFSET, payload.length);
        record.put(TYPE_OFFSET, type);
        record.put(PAYLOAD_OFFSET, payload);
        record.putInt(PAYLOAD_OFFSET + payload.length, checksum(record.array(), PAYLOAD_OFFSET + payload.length));
        return record.array();
    }

    private static int checksum(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /**
     * The next record at {@code buffer}'s position, advancing past it; empty (position unchanged) when the bytes
     * there are not a whole, intact record.
     */
    static Optional<Framed> next(ByteBuffer buffer) {
        int start = buffer.position();
        if (buffer.remaining() < FRAME_OVERHEAD) {
            return Optional.empty();
        }
        int length = buffer.getInt(start + LENGTH_OFFSET);
        if (length < 0 || length > MAX_PAYLOAD || buffer.remaining() < FRAME_OVERHEAD + length) {
            return Optional.empty();
        }
        byte[] framed = new byte[PAYLOAD_OFFSET + length];
        buffer.get(start, framed);
        if (checksum(framed, framed.length) != buffer.getInt(start + PAYLOAD_OFFSET + length)) {
            return Optional.empty();
        }
        byte[] payload = new byte[length];
        System.arraycopy(framed, PAYLOAD_OFFSET, payload, 0, length);
        buffer.position(start + FRAME_OVERHEAD + length);
        return Optional.of(new Framed(framed[TYPE_OFFSET], ByteBuffer.wrap(payload).order(ByteOrder.BIG_ENDIAN)));
    }

    /** A record that passed its checksum: its type and payload. */
    record Framed(byte type, ByteBuffer payload) {
    }
}
