package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.cc.CongestionControl;
import io.parcel.transport.udt.internal.wire.Handshake;

import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Per-connection settings, fixed when the connection is made.
 *
 * @param mss                    packet size including IP and UDP headers (4.11 default 1500)
 * @param sendBufferPackets      send buffer, packets
 * @param receiveBufferPackets   receive buffer, packets (also the flow window we advertise, capped by
 *                               {@code flowControlPackets})
 * @param flowControlPackets     UDT_FC, the largest window (25600 in 4.11)
 * @param maxBandwidth           bytes per second, or a value {@code <= 0} for no cap
 * @param socketType             {@link Handshake#SOCKET_TYPE_STREAM} or datagram
 * @param connectTimeoutNanos    how long a connect or rendezvous may take
 * @param congestionControl      makes one congestion control per connection
 * @param payloadPool            where the buffers take their memory from (one per process outside tests)
 */
public record ConnectionConfig(int mss, int sendBufferPackets, int receiveBufferPackets, int flowControlPackets,
        long maxBandwidth, int socketType, long connectTimeoutNanos, Supplier<CongestionControl> congestionControl,
        PayloadPool payloadPool) {
    public static final int DEFAULT_MSS = 1500;
    /**
     * 4.11 has 8192: too few for 500 Mbit/s at RTT 100 ms with loss, where a sender holds each packet until the
     * ACK passes the holes (about two round trips) and a receiver holds what arrived above them. Memory follows
     * use ({@link PayloadPool}), so the larger ceiling costs nothing on slower paths.
     */
    public static final int DEFAULT_BUFFER_PACKETS = 32768;
    public static final int DEFAULT_FLOW_CONTROL_PACKETS = 25600;
    /** IP (20) + UDP (8) + UDT (16) header bytes that an MSS includes besides the payload. */
    public static final int OVERHEAD = 44;

    /** With the process's shared {@link PayloadPool}. */
    public ConnectionConfig(int mss, int sendBufferPackets, int receiveBufferPackets, int flowControlPackets,
                            long maxBandwidth, int socketType, long connectTimeoutNanos,
                            Supplier<CongestionControl> congestionControl) {
        this(mss, sendBufferPackets, receiveBufferPackets, flowControlPackets, maxBandwidth, socketType,
                connectTimeoutNanos, congestionControl, PayloadPool.shared());
    }

    public ConnectionConfig {
        requireNonNull(congestionControl, "congestionControl is null");
        requireNonNull(payloadPool, "payloadPool is null");
        if (mss < 76 || mss > 65536) {
            throw new IllegalArgumentException("mss must be within 76..65536: " + mss);
        }
        if (sendBufferPackets < 32 || receiveBufferPackets < 32 || flowControlPackets < 32) {
            throw new IllegalArgumentException("buffers and flow window must be at least 32 packets");
        }
    }

    /** The same settings with another connect timeout: a connect call's own replaces the socket's default. */
    public ConnectionConfig withConnectTimeout(long nanos) {
        return new ConnectionConfig(mss, sendBufferPackets, receiveBufferPackets, flowControlPackets, maxBandwidth,
                socketType, nanos, congestionControl, payloadPool);
    }

    /** The same settings for another socket type (message mode's handshake carries UDT_DGRAM). */
    public ConnectionConfig withSocketType(int type) {
        return new ConnectionConfig(mss, sendBufferPackets, receiveBufferPackets, flowControlPackets, maxBandwidth,
                type, connectTimeoutNanos, congestionControl, payloadPool);
    }

    public int payloadSize() {
        return mss - OVERHEAD;
    }

    public int advertisedWindow() {
        return Math.min(receiveBufferPackets, flowControlPackets);
    }
}
