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
 */
public record SocketSettings(ConnectionConfig connection, int udpReceiveBuffer, int udpSendBuffer, long lingerNanos,
        long ioTimeoutNanos) {
    /** 4.11 waits 30 s for a rendezvous (the peer may start later), ten times a client's default. */
    private static final long RENDEZVOUS_CONNECT_NANOS = 30_000_000_000L;

    public SocketSettings {
        requireNonNull(connection, "connection is null");
    }

    /** How long a connect waits when the caller names no timeout: the connection's, or 30 s for a rendezvous. */
    public long defaultConnectTimeoutNanos(boolean rendezvous) {
        return rendezvous ? RENDEZVOUS_CONNECT_NANOS : connection.connectTimeoutNanos();
    }
}
