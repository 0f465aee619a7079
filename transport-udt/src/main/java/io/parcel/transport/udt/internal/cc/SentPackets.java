package io.parcel.transport.udt.internal.cc;

import io.parcel.transport.udt.internal.wire.SeqNo;

/**
 * What {@link BbrCongestionControl} keeps per data packet, by sequence number: when it was first sent, how many
 * retransmissions the flow had sent by then, whether a loss report named it, and when its latest retransmission
 * left (0: never resent). A packet's slot is {@code sequence & (capacity - 1)}, so a slot is reused once the
 * packets before it are settled.
 *
 * <p>The capacity starts small and doubles, up to {@link #MAX_SLOTS}, when the packets still read (from the oldest
 * one unsettled to the newest one sent) no longer fit: memory follows the flight the connection reaches. With a
 * fixed 64 Ki slots every connection held 1.6 MiB here, for a flight only a high-BDP path reaches, and a tunnel pair
 * carrying 200 connections ran out of the default 256 MiB heap. Growing copies the live packets once per doubling,
 * on the sender's thread; nothing is allocated per packet. Not thread-safe (the control's lock covers it).
 */
final class SentPackets {
    /** Twice the largest flight the default buffers allow (32,768 packets); a larger one would alias slots. */
    static final int MAX_SLOTS = 1 << 16;
    /** 6 KiB; a 100 Mbit/s flow with no delay (~450 packets in its window) grows it once. */
    static final int INITIAL_SLOTS = 1 << 8;

    private long[] sendTimes;
    private long[] resentBefore;
    private boolean[] reported;
    private long[] resendTimes;
    private int mask;

    SentPackets() {
        this(INITIAL_SLOTS);
    }

    SentPackets(int initialSlots) {
        if (initialSlots <= 0 || initialSlots > MAX_SLOTS || Integer.bitCount(initialSlots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two up to " + MAX_SLOTS + ": " + initialSlots);
        }
        allocate(initialSlots);
    }

    int capacity() {
        return mask + 1;
    }

    /**
     * Makes room for every packet from {@code oldest} to {@code newest} (inclusive), keeping what is recorded for
     * the packets before {@code newest}. Call before recording {@code newest}.
     */
    void cover(int oldest, int newest) {
        int span = SeqNo.offset(oldest, newest) + 1;
        int capacity = capacity();
        if (span <= capacity || capacity == MAX_SLOTS) {
            return;
        }
        int slots = capacity;
        while (slots < span && slots < MAX_SLOTS) {
            slots <<= 1;
        }
        long[] oldSendTimes = sendTimes;
        long[] oldResentBefore = resentBefore;
        boolean[] oldReported = reported;
        long[] oldResendTimes = resendTimes;
        int oldMask = mask;
        allocate(slots);
        // the packets before newest fitted the old capacity (it grows one packet at a time), so none is lost here
        int live = Math.min(span - 1, capacity);
        for (int i = 0, sequence = SeqNo.decrement(newest); i < live; i++, sequence = SeqNo.decrement(sequence)) {
            int from = sequence & oldMask;
            int to = sequence & mask;
            sendTimes[to] = oldSendTimes[from];
            resentBefore[to] = oldResentBefore[from];
            reported[to] = oldReported[from];
            resendTimes[to] = oldResendTimes[from];
        }
    }

    long sendTime(int sequence) {
        return sendTimes[sequence & mask];
    }

    long resentBefore(int sequence) {
        return resentBefore[sequence & mask];
    }

    long resendTime(int sequence) {
        return resendTimes[sequence & mask];
    }

    boolean reported(int sequence) {
        return reported[sequence & mask];
    }

    /** A first transmission: its send time and the retransmissions before it; no retransmission yet. */
    void sentFirst(int sequence, long nowNanos, long resentTotal) {
        int slot = sequence & mask;
        sendTimes[slot] = nowNanos;
        resentBefore[slot] = resentTotal;
        resendTimes[slot] = 0;
    }

    void resent(int sequence, long nowNanos) {
        resendTimes[sequence & mask] = nowNanos;
    }

    void setReported(int sequence, boolean value) {
        reported[sequence & mask] = value;
    }

    private void allocate(int slots) {
        sendTimes = new long[slots];
        resentBefore = new long[slots];
        reported = new boolean[slots];
        resendTimes = new long[slots];
        mask = slots - 1;
    }
}
