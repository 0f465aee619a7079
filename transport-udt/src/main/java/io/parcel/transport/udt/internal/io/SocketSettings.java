package io.parcel.transport.udt.internal.io;

import io.parcel.transport.udt.internal.core.ConnectionConfig;

import static java.util.Objects.requireNonNull;

/**
 * Everything a UDT socket is configured with.
 *
 * @param connection         the protocol settings of each connection
 * @param udpReceiveBuffer   SO_RCVBUF of the UDP socket, bytes (the kernel caps it at net.core.rmem_max)
 * @param udpSendBuffer      SO_SNDBUF of the UDP socket, bytes
 * @param lingerNanos        how long close() waits for unacknowledged data to be delivered
 * @param ioTimeoutNanos     longest a write waits for buffer space
 * @param reuseAddress       UDT_REUSEADDR: a bind to a port this process's UDT already has open (same address, same
 *                           MSS, both reusable) shares that UDP port, its sockets told apart by socket id
 */
public record SocketSettings(ConnectionConfig connection, int udpReceiveBuffer, int udpSendBuffer, long lingerNanos,
        long ioTimeoutNanos, boolean reuseAddress) {
    /** 4.11 waits 30 s for a rendezvous (the peer may start later), ten times a client's default. */
    private static final long RENDEZVOUS_CONNECT_NANOS = 30_000_000_000L;

    public SocketSettings {
        requireNonNull(connection, "connection is null");
    }

    public SocketSettings withReuseAddress(boolean reuse) {
        return reuse == reuseAddress ? this
                : new SocketSettings(connection, udpReceiveBuffer, udpSendBuffer, lingerNanos, ioTimeoutNanos, reuse);
    }

    /** How long a connect waits when the caller names no timeout: the connection's, or 30 s for a rendezvous. */
    public long defaultConnectTimeoutNanos(boolean rendezvous) {
        return rendezvous ? RENDEZVOUS_CONNECT_NANOS : connection.connectTimeoutNanos();
    }
}
