package io.parcel.transport.udt.internal.core;

/**
 * The packet slots of a send or receive buffer's ring, in chunks of {@value #CHUNK_PACKETS} slots taken from a
 * {@link PayloadPool} when a slot in them is first used and given back by the buffer once none of their slots
 * holds a packet: a buffer's capacity is a ceiling, its memory is what it holds. Shared by the send and the
 * receive buffer; not thread-safe (the connection's lock guards it).
 */
final class PayloadSlots {
    static final int CHUNK_PACKETS = 16;

    private final PayloadPool pool;
    private final int capacity;
    private final int payloadSize;
    private final SlotChunk[] chunks;
    private boolean closed;

    PayloadSlots(PayloadPool pool, int capacity, int payloadSize) {
        this.pool = pool;
        this.capacity = capacity;
        this.payloadSize = payloadSize;
        this.chunks = new SlotChunk[(capacity + CHUNK_PACKETS - 1) / CHUNK_PACKETS];
    }

    /** The chunk holding {@code slot}, or null when it has none (so the slot holds no packet). */
    SlotChunk chunk(int slot) {
        return chunks[slot / CHUNK_PACKETS];
    }

    /**
     * The chunk holding {@code slot}, taken from the pool when missing; null when the pool refuses (its budget is
     * spent and the caller did not say it {@code needed} it) or the slots are closed.
     */
    SlotChunk acquire(int slot, boolean needed) {
        int index = slot / CHUNK_PACKETS;
        SlotChunk chunk = chunks[index];
        if (chunk == null && !closed) {
            chunk = pool.take(payloadSize, needed);
            chunks[index] = chunk;
        }
        return chunk;
    }

    /** Gives back the chunk of {@code chunkIndex} (the caller knows none of its slots holds a packet). */
    void release(int chunkIndex) {
        SlotChunk chunk = chunks[chunkIndex];
        if (chunk != null) {
            chunks[chunkIndex] = null;
            pool.give(chunk);
        }
    }

    /** Gives back the chunk of {@code chunkIndex} when none of its slots holds a packet (length unset). */
    void releaseIfEmpty(int chunkIndex) {
        SlotChunk chunk = chunks[chunkIndex];
        if (chunk != null && chunk.isEmpty()) {
            chunks[chunkIndex] = null;
            pool.give(chunk);
        }
    }

    /** Gives every chunk back; from now on no slot gets one. */
    void close() {
        closed = true;
        for (int i = 0; i < chunks.length; i++) {
            release(i);
        }
    }

    int chunkCount() {
        return chunks.length;
    }

    /** How many chunks are held now. */
    int heldChunks() {
        int held = 0;
        for (SlotChunk chunk : chunks) {
            if (chunk != null) {
                held++;
            }
        }
        return held;
    }

    /** Slot {@code slot}'s index within its chunk. */
    static int index(int slot) {
        return slot % CHUNK_PACKETS;
    }

    /** Where slot {@code slot}'s payload starts in its chunk's {@link SlotChunk#payload}. */
    int offset(int slot) {
        return (slot % CHUNK_PACKETS) * payloadSize;
    }

    /** The first slot of the chunk after the one holding {@code slot} (0 after the last). */
    int nextChunkStart(int slot) {
        int next = (slot / CHUNK_PACKETS + 1) * CHUNK_PACKETS;
        return next >= capacity ? 0 : next;
    }
}
