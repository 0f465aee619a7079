package io.parcel.transport.tcp.internal;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * What every connection of one transport is set up with.
 *
 * @param ioTimeout     longest a read or a write may go without progress; zero disables both limits
 * @param sendBuffer    SO_SNDBUF in bytes, 0 for the system default
 * @param receiveBuffer SO_RCVBUF in bytes, 0 for the system default
 */
public record TcpConfig(Duration ioTimeout, int sendBuffer, int receiveBuffer) {
    public TcpConfig {
        requireNonNull(ioTimeout, "ioTimeout is null");
        if (ioTimeout.isNegative() || ioTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ioTimeout out of range: " + ioTimeout);
        }
        if (sendBuffer < 0 || receiveBuffer < 0) {
            throw new IllegalArgumentException("buffer sizes must not be negative: " + sendBuffer + ", " + receiveBuffer);
        }
    }

    int ioTimeoutMillis() {
        return (int) ioTimeout.toMillis();
    }
}
