package io.parcel.transport.udt;

import io.parcel.spi.Options;
import io.parcel.spi.UsageException;
import io.parcel.transport.udt.internal.io.ConnectionEndpoint;
import io.parcel.transport.udt.internal.io.InertSocketImpl;
import io.parcel.transport.udt.internal.io.ListenerEndpoint;
import io.parcel.transport.udt.internal.io.SocketSettings;
import io.parcel.transport.udt.internal.io.UdtEngine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;

import static java.util.Objects.requireNonNull;

/**
 * A listening UDT4 stream socket that is a {@link ServerSocket}. Accepted sockets share its UDP port (as in
 * UDT 4.11) and outlive it: closing the server socket closes only connections not yet accepted.
 */
public class UdtServerSocket extends ServerSocket {
    private static final int DEFAULT_BACKLOG = 50;

    private final UdtEngine engine;
    private final SocketSettings settings;
    /** UDT_REUSEADDR for the bind (the settings' value until {@link #setReuseAddress}). */
    private volatile boolean reuseAddress;
    private final Object stateLock = new Object();
    private volatile ListenerEndpoint listener;
    private volatile boolean closed;
    private volatile int soTimeoutMillis;

    /** An unbound server socket with default options. */
    public UdtServerSocket() throws IOException {
        this(UdtEngine.shared(), UdtOptions.defaults());
    }

    /** An unbound server socket configured by {@link UdtOptions} keys. */
    public UdtServerSocket(Options options) throws IOException, UsageException {
        this(UdtEngine.shared(), UdtOptions.settings(options));
    }

    /** A server socket listening on {@code port} of every local address. */
    public UdtServerSocket(int port) throws IOException {
        this();
        bind(new InetSocketAddress(port));
    }

    UdtServerSocket(UdtEngine engine, SocketSettings settings) throws IOException {
        super(new InertSocketImpl());
        this.engine = requireNonNull(engine, "engine is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.reuseAddress = settings.reuseAddress();
    }

    @Override
    public void bind(SocketAddress endpoint) throws IOException {
        bind(endpoint, DEFAULT_BACKLOG);
    }

    @Override
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
        InetSocketAddress local = endpoint == null ? new InetSocketAddress(0) : (InetSocketAddress) endpoint;
        if (local.isUnresolved()) {
            throw new SocketException("unresolved address " + local);
        }
        synchronized (stateLock) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (listener != null) {
                throw new SocketException("Already bound");
            }
            listener = engine.listen(local, settings.withReuseAddress(reuseAddress),
                    backlog < 1 ? DEFAULT_BACKLOG : backlog);
        }
    }

    @Override
    public Socket accept() throws IOException {
        ListenerEndpoint current = listener;
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (current == null) {
            throw new SocketException("Socket is not bound yet");
        }
        ConnectionEndpoint accepted = current.accept(soTimeoutMillis);
        return new UdtSocket(engine, settings, accepted);
    }

    @Override
    public void close() {
        ListenerEndpoint current;
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
            current = listener;
        }
        if (current != null) {
            current.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isBound() {
        return listener != null;
    }

    @Override
    public InetAddress getInetAddress() {
        ListenerEndpoint current = listener;
        return current == null ? null : current.localAddress().getAddress();
    }

    @Override
    public int getLocalPort() {
        ListenerEndpoint current = listener;
        return current == null ? -1 : current.localAddress().getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        ListenerEndpoint current = listener;
        return current == null ? null : current.localAddress();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeoutMillis;
    }

    /** UDT_REUSEADDR (on by default, as in 4.11): the listening port may be shared with sockets bound to it. */
    @Override
    public void setReuseAddress(boolean on) {
        reuseAddress = on;
    }

    @Override
    public boolean getReuseAddress() {
        return reuseAddress;
    }

    @Override
    public void setReceiveBufferSize(int size) {
    }

    @Override
    public int getReceiveBufferSize() {
        return settings.connection().receiveBufferPackets() * settings.connection().payloadSize();
    }

    /** Handshake counters (dropped, bad cookies, rejected), for tests and diagnostics. */
    public String statistics() {
        ListenerEndpoint current = listener;
        return current == null ? "unbound" : current.describe();
    }

    @Override
    public String toString() {
        ListenerEndpoint current = listener;
        return current == null ? "UdtServerSocket[unbound]" : "UdtServerSocket[" + current.localAddress() + "]";
    }
}
