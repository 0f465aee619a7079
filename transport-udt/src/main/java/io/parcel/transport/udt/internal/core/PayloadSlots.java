package io.parcel.transport.udt.internal.core;

/**
 * The payload bytes of a ring of packet slots, in chunks of {@value #CHUNK_PACKETS} packets allocated the first time
 * a slot in them is used: an idle connection costs little, and once warm the hot path allocates nothing. Shared by
 * the send and the receive buffer; not thread-safe (the connection's lock guards it).
 */
final class PayloadSlots {
    private static final int CHUNK_PACKETS = 64;

    private final int payloadSize;
    private final byte[][] chunks;

    PayloadSlots(int capacity, int payloadSize) {
        this.payloadSize = payloadSize;
        this.chunks = new byte[(capacity + CHUNK_PACKETS - 1) / CHUNK_PACKETS][];
    }

    /** The array holding {@code slot}'s payload, at {@link #offset(int)}. */
    byte[] chunk(int slot) {
        int index = slot / CHUNK_PACKETS;
        byte[] chunk = chunks[index];
        if (chunk == null) {
            chunk = new byte[CHUNK_PACKETS * payloadSize];
            chunks[index] = chunk;
        }
        return chunk;
    }

    int offset(int slot) {
        return (slot % CHUNK_PACKETS) * payloadSize;
    }
}
