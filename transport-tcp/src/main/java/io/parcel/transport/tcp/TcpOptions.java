package io.parcel.transport.tcp;

import io.parcel.spi.OptionKey;

/** Options only the {@code tcp} transport reads. 0 leaves a size to the operating system (and its autotuning). */
public final class TcpOptions {
    /** SO_SNDBUF of every connection. */
    public static final OptionKey<Long> SEND_BUFFER =
            OptionKey.bytes("tcp.send-buffer", 0, "TCP send buffer per connection (0: system default)");

    /** SO_RCVBUF of every connection, set before connecting so large windows can be negotiated. */
    public static final OptionKey<Long> RECEIVE_BUFFER =
            OptionKey.bytes("tcp.receive-buffer", 0, "TCP receive buffer per connection (0: system default)");

    private TcpOptions() {
    }
}
