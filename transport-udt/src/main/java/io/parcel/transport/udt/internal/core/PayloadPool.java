package io.parcel.transport.udt.internal.core;

import java.util.ArrayDeque;

/**
 * The packet memory of every UDT connection in the process: chunks of {@value PayloadSlots#CHUNK_PACKETS} packet
 * slots that the send and receive buffers take when a slot in them is first used and give back once every slot in
 * them is free. Buffers can then be as large as a long fat path needs (their capacity is only a ceiling) while
 * memory follows what is really in flight, and a process with many connections cannot outgrow its heap: past the
 * budget a buffer gets no more chunks unless it needs one to make progress at all (the first hole of a receiver,
 * the first packet of an empty sender), which bounds the overshoot to a chunk per connection.
 *
 * <p>Given-back chunks are kept for reuse up to an idle limit, so the hot path allocates nothing once warm.
 * Thread-safe; the buffers call it under their connection's lock and it takes no other lock.
 */
public final class PayloadPool {
    /**
     * A quarter of the heap: a 500 Mbit/s flow at RTT 100 ms with 0.5 % loss keeps ~12 MiB in flight, and a relay's
     * connections need the rest for their copy buffers (at half the heap, a relay at its connection limit with every
     * connection busy would have outgrown a 256 MiB heap).
     */
    private static final PayloadPool SHARED = new PayloadPool(
            Math.max(32L << 20, Runtime.getRuntime().maxMemory() / 4),
            Math.max(8L << 20, Runtime.getRuntime().maxMemory() / 16));

    private final long budgetBytes;
    private final long idleLimitBytes;
    private final ArrayDeque<SlotChunk> idle = new ArrayDeque<>();
    private long takenBytes;
    private long idleBytes;
    private long refusals;

    /**
     * @param budgetBytes    chunks handed out (and not given back) may hold at most this many bytes, except those
     *                       taken with {@code needed}
     * @param idleLimitBytes given-back chunks kept for reuse, at most this many bytes; the rest go to the collector
     */
    public PayloadPool(long budgetBytes, long idleLimitBytes) {
        if (budgetBytes <= 0 || idleLimitBytes < 0) {
            throw new IllegalArgumentException("budget " + budgetBytes + " / idle limit " + idleLimitBytes);
        }
        this.budgetBytes = budgetBytes;
        this.idleLimitBytes = idleLimitBytes;
    }

    /** The process's pool: a quarter of the maximum heap (at least 32 MiB) for chunks in use. */
    public static PayloadPool shared() {
        return SHARED;
    }

    /**
     * A chunk for packets of {@code payloadSize} bytes with every length unset ({@link SlotChunk#ABSENT}), or null
     * when the budget is spent and the caller can do without.
     *
     * @param needed the caller cannot make progress without it: handed out even past the budget
     */
    synchronized SlotChunk take(int payloadSize, boolean needed) {
        long bytes = SlotChunk.bytes(payloadSize);
        if (!needed && takenBytes + bytes > budgetBytes) {
            refusals++;
            return null;
        }
        SlotChunk chunk = reuse(payloadSize);
        if (chunk == null) {
            chunk = new SlotChunk(payloadSize);
        }
        takenBytes += bytes;
        return chunk;
    }

    private SlotChunk reuse(int payloadSize) {
        // Nearly always one payload size per process (one MSS), so a look at both ends is enough.
        SlotChunk chunk = idle.peekLast();
        if (chunk == null) {
            return null;
        }
        if (chunk.payloadSize() != payloadSize) {
            chunk = idle.peekFirst();
            if (chunk.payloadSize() != payloadSize) {
                return null;
            }
            idle.pollFirst();
        } else {
            idle.pollLast();
        }
        idleBytes -= chunk.byteSize();
        chunk.clearLengths();
        return chunk;
    }

    synchronized void give(SlotChunk chunk) {
        takenBytes -= chunk.byteSize();
        if (idleBytes + chunk.byteSize() <= idleLimitBytes) {
            idle.addLast(chunk);
            idleBytes += chunk.byteSize();
        }
    }

    /** Bytes in chunks handed out now. */
    public synchronized long takenBytes() {
        return takenBytes;
    }

    /** Bytes in chunks kept for reuse. */
    public synchronized long idleBytes() {
        return idleBytes;
    }

    /** How often a chunk was refused because the budget was spent. */
    public synchronized long refusals() {
        return refusals;
    }

    @Override
    public synchronized String toString() {
        return "PayloadPool[taken " + takenBytes + " of " + budgetBytes + " bytes, idle " + idleBytes + "]";
    }
}
