package io.parcel.transport.udt.internal.cc;

/** What a connection tells its congestion control; all values as the 4.11 core keeps them. */
public interface CongestionContext {
    /** Smoothed round-trip time, µs. */
    int rttMicros();

    int rttVarianceMicros();

    /** The peer's packet arrival rate (EWMA of ACK word 5), packets/s; 16 until reported. */
    int receiveRate();

    /** The peer's link-capacity estimate (EWMA of ACK word 6), packets/s; 1 until reported. */
    int bandwidth();

    /** The largest sequence number sent so far. */
    int lastSentSequence();

    /** The flow window the peer advertised in its handshake, packets. */
    int maxWindow();

    /** Full packet size including IP and UDP headers, bytes. */
    int mss();
}
