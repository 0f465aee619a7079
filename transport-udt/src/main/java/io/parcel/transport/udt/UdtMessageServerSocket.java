package io.parcel.transport.udt;

import io.parcel.spi.Options;
import io.parcel.spi.UsageException;
import io.parcel.transport.udt.internal.io.ListenerEndpoint;
import io.parcel.transport.udt.internal.io.SocketSettings;
import io.parcel.transport.udt.internal.io.UdtEngine;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * A UDT4 listener for message-mode connections (SOCK_DGRAM): its handshake answers carry socket type 2 and, as in
 * 4.11, a request of the other type (a stream client) is rejected (request type 1002), so the client's connect
 * fails at once. Accepted sockets share its UDP port and outlive it: closing it closes only connections not yet
 * accepted.
 */
public final class UdtMessageServerSocket implements Closeable {
    private static final int DEFAULT_BACKLOG = 50;

    private final SocketSettings settings;
    private final ListenerEndpoint listener;
    private volatile boolean closed;

    private UdtMessageServerSocket(SocketSettings settings, ListenerEndpoint listener) {
        this.settings = requireNonNull(settings, "settings is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** Listens on {@code local} (port 0: any free port) with default options. */
    public static UdtMessageServerSocket bind(InetSocketAddress local) throws IOException {
        try {
            return bind(local, Options.empty());
        } catch (UsageException e) {
            throw new IllegalStateException("defaults must be valid", e);
        }
    }

    /** Listens on {@code local} with {@link UdtOptions} keys and the common {@code timeout} key. */
    public static UdtMessageServerSocket bind(InetSocketAddress local, Options options)
            throws IOException, UsageException {
        requireNonNull(local, "local is null");
        if (local.isUnresolved()) {
            throw new SocketException("unresolved address " + local);
        }
        SocketSettings settings = UdtOptions.messageSettings(options);
        return new UdtMessageServerSocket(settings, UdtEngine.shared().listen(local, settings, DEFAULT_BACKLOG));
    }

    /**
     * The next connection; waits at most {@code timeout} ({@link Duration#ZERO}: without limit).
     *
     * @throws java.net.SocketTimeoutException when none arrived in time
     * @throws SocketException                 when this socket is or gets closed
     */
    public UdtMessageSocket accept(Duration timeout) throws IOException {
        requireNonNull(timeout, "timeout is null");
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        return UdtMessageSocket.accepted(listener.accept(timeout.isZero() ? 0
                : (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()))),
                settings);
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** Handshake counters (dropped, bad cookies, rejected), for tests and diagnostics. */
    public String statistics() {
        return listener.describe();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            listener.close();
        }
    }

    @Override
    public String toString() {
        return "UdtMessageServerSocket[" + localAddress() + "]";
    }
}
