package io.parcel.transport.udt.internal.io;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Something a {@link Multiplexer} delivers datagrams to and, for connections, services from its sender thread. */
interface Endpoint {
    /** A datagram for this endpoint (already matched by id and source); called on the receive thread. */
    void deliver(ByteBuffer packet, InetSocketAddress source, long nowNanos);

    /**
     * Runs timers and sends what is due, using {@code scratch} for data packets; called on the sender thread.
     *
     * @return when it next wants service ({@code System.nanoTime()} scale)
     */
    long service(ByteBuffer scratch, long nowNanos);
}
