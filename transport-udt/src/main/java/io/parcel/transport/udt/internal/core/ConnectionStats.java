package io.parcel.transport.udt.internal.core;

/** Counters of one connection; written under the connection's lock, read racily for reports and tests. */
public final class ConnectionStats {
    volatile long dataSent;
    volatile long retransmitted;
    volatile long dataReceived;
    volatile long duplicatesReceived;
    volatile long naksSent;
    volatile long naksReceived;
    volatile long acksSent;
    volatile long acksReceived;
    volatile long expirations;
    volatile long dropped;
    volatile long earlyRetransmits;

    public long dataSent() {
        return dataSent;
    }

    public long retransmitted() {
        return retransmitted;
    }

    public long dataReceived() {
        return dataReceived;
    }

    public long duplicatesReceived() {
        return duplicatesReceived;
    }

    public long naksSent() {
        return naksSent;
    }

    public long naksReceived() {
        return naksReceived;
    }

    public long acksSent() {
        return acksSent;
    }

    public long acksReceived() {
        return acksReceived;
    }

    public long expirations() {
        return expirations;
    }

    /** Holes resent because the ACK point stalled on them (their NAK was presumably lost). */
    public long earlyRetransmits() {
        return earlyRetransmits;
    }

    /** Malformed, truncated, out-of-place or unexpected packets dropped. */
    public long dropped() {
        return dropped;
    }

    @Override
    public String toString() {
        return "sent=" + dataSent + " retransmitted=" + retransmitted + " received=" + dataReceived
                + " duplicates=" + duplicatesReceived + " naksSent=" + naksSent + " naksReceived=" + naksReceived
                + " acksSent=" + acksSent + " acksReceived=" + acksReceived + " exp=" + expirations
                + " early=" + earlyRetransmits
                + " dropped=" + dropped;
    }
}
