package io.parcel.transport.udt;

import io.parcel.spi.HostLookup;
import io.parcel.spi.Options;
import io.parcel.spi.UsageException;
import io.parcel.transport.udt.internal.io.ConnectionEndpoint;
import io.parcel.transport.udt.internal.io.InertSocketImpl;
import io.parcel.transport.udt.internal.io.SocketSettings;
import io.parcel.transport.udt.internal.io.UdtEngine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A UDT4 stream socket (SOCK_STREAM) that is a {@link Socket}, so anything that takes a socket (TLS via
 * {@code SSLSocketFactory.createSocket(socket, host, port, true)}, HTTP clients with a {@code SocketFactory}) runs
 * over UDT unchanged. Wire-compatible with UDT 4.11 peers.
 *
 * <p>Differences from TCP: {@link #shutdownOutput()} (half-close) works between Parcel peers only (UDT4 has no
 * half-close on the wire; Parcel sends a user-defined control packet that a 4.11 peer ignores); a peer that
 * vanishes is noticed after UDT's expiry timer gives up (about 46 s of silence at small RTT, as in 4.11).
 * Rendezvous: {@link #bind} explicitly, {@link #setRendezvous}{@code (true)}, then connect to the peer, who does
 * the same. Thread-safety: one reader and one writer thread at a time; close from any thread.
 */
public class UdtSocket extends Socket {
    private final UdtEngine engine;
    private final SocketSettings settings;
    /** UDT_REUSEADDR for the next bind (the settings' value until {@link #setReuseAddress}). */
    private volatile boolean reuseAddress;
    private final Object stateLock = new Object();
    private UdtEngine.BoundPort boundPort;
    private volatile ConnectionEndpoint endpoint;
    private volatile boolean closed;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private volatile int soTimeoutMillis;
    private volatile long lingerNanos;
    private volatile boolean rendezvous;
    private InputStream input;
    private OutputStream output;

    /** An unconnected socket with default options. */
    public UdtSocket() throws SocketException {
        this(UdtEngine.shared(), UdtOptions.defaults(), false);
    }

    /** An unconnected socket configured by {@link UdtOptions} keys (and the common timeout keys). */
    public UdtSocket(Options options) throws SocketException, UsageException {
        this(UdtEngine.shared(), UdtOptions.settings(options), options.get(UdtOptions.RENDEZVOUS));
    }

    /** A socket connected to {@code host:port} with default options. */
    public UdtSocket(String host, int port) throws IOException {
        this();
        connect(new InetSocketAddress(host, port));
    }

    UdtSocket(UdtEngine engine, SocketSettings settings, boolean rendezvous) throws SocketException {
        super(new InertSocketImpl());
        this.engine = requireNonNull(engine, "engine is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.lingerNanos = settings.lingerNanos();
        this.rendezvous = rendezvous;
        this.reuseAddress = settings.reuseAddress();
    }

    /** The server side of an accepted connection. */
    UdtSocket(UdtEngine engine, SocketSettings settings, ConnectionEndpoint accepted) throws SocketException {
        this(engine, settings, false);
        this.endpoint = requireNonNull(accepted, "accepted is null");
    }

    /** Rendezvous: both sides bind and connect to each other; must be set before {@link #connect}. */
    public void setRendezvous(boolean on) {
        this.rendezvous = on;
    }

    public boolean isRendezvous() {
        return rendezvous;
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (boundPort != null || endpoint != null) {
                throw new SocketException("already bound");
            }
            InetSocketAddress local = bindpoint == null ? new InetSocketAddress(0) : (InetSocketAddress) bindpoint;
            if (local.isUnresolved()) {
                throw new SocketException("unresolved address " + local);
            }
            boundPort = engine.bind(local, settings.withReuseAddress(reuseAddress));
        }
    }

    @Override
    public void connect(SocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    /**
     * Connects; {@code timeoutMillis} 0 means UDT's default of 3 s (30 s in rendezvous mode, as 4.11). An unresolved
     * {@code remote} is resolved first, within the same timeout.
     */
    @Override
    public void connect(SocketAddress remote, int timeoutMillis) throws IOException {
        requireNonNull(remote, "remote is null");
        if (!(remote instanceof InetSocketAddress peer)) {
            throw new IllegalArgumentException("unsupported address type " + remote.getClass().getName());
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeout is negative");
        }
        long timeoutNanos = timeoutMillis > 0 ? TimeUnit.MILLISECONDS.toNanos(timeoutMillis)
                : settings.defaultConnectTimeoutNanos(rendezvous);
        long deadline = System.nanoTime() + timeoutNanos;
        // A name is resolved here within the same timeout (the HTTP source passes names as given); UDT has no
        // refusal to fall back on, so only the resolver's first address is tried.
        InetSocketAddress target = peer.isUnresolved()
                ? new InetSocketAddress(HostLookup.system().resolve(peer.getHostString(), Duration.ofNanos(timeoutNanos))
                        .get(0), peer.getPort())
                : peer;
        UdtEngine.BoundPort port;
        synchronized (stateLock) {
            ensureOpen();
            if (endpoint != null) {
                throw new SocketException("already connected");
            }
            if (boundPort == null) {
                InetAddress any = target.getAddress() instanceof java.net.Inet6Address
                        ? InetAddress.getByName("::") : InetAddress.getByName("0.0.0.0");
                boundPort = engine.bind(new InetSocketAddress(any, 0), settings);
            }
            port = boundPort;
        }
        ConnectionEndpoint connected = port.connect(target, rendezvous, Math.max(1, deadline - System.nanoTime()));
        synchronized (stateLock) {
            endpoint = connected;
            if (closed) {
                connected.close(0);
                throw new SocketException("socket closed while connecting");
            }
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            ConnectionEndpoint current = connected();
            if (input == null) {
                input = new UdtInputStream(current);
            }
            return input;
        }
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            ConnectionEndpoint current = connected();
            if (output == null) {
                output = new UdtOutputStream(current);
            }
            return output;
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        ConnectionEndpoint current = connected();
        if (!outputShutdown) {
            outputShutdown = true;
            current.shutdownOutput();
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        ensureOpen();
        connected();
        inputShutdown = true;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public void close() {
        ConnectionEndpoint current;
        UdtEngine.BoundPort port;
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
            current = endpoint;
            port = boundPort;
        }
        if (current != null) {
            current.close(lingerNanos);
        } else if (port != null) {
            port.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isConnected() {
        return endpoint != null;
    }

    @Override
    public boolean isBound() {
        return endpoint != null || boundPort != null;
    }

    @Override
    public InetAddress getInetAddress() {
        ConnectionEndpoint current = endpoint;
        return current == null ? null : current.peer().getAddress();
    }

    @Override
    public int getPort() {
        ConnectionEndpoint current = endpoint;
        return current == null ? 0 : current.peer().getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        ConnectionEndpoint current = endpoint;
        return current == null ? null : current.peer();
    }

    @Override
    public InetAddress getLocalAddress() {
        InetSocketAddress local = localAddress();
        return local == null ? null : local.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress local = localAddress();
        return local == null ? -1 : local.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return localAddress();
    }

    private InetSocketAddress localAddress() {
        ConnectionEndpoint current = endpoint;
        if (current != null) {
            return current.localAddress();
        }
        synchronized (stateLock) {
            return boundPort == null ? null : boundPort.localAddress();
        }
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        ensureOpen();
        soTimeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        ensureOpen();
        return soTimeoutMillis;
    }

    @Override
    public void setSoLinger(boolean on, int lingerSeconds) throws SocketException {
        ensureOpen();
        lingerNanos = on ? TimeUnit.SECONDS.toNanos(Math.max(0, lingerSeconds)) : 0;
    }

    @Override
    public int getSoLinger() throws SocketException {
        ensureOpen();
        return lingerNanos == 0 ? -1 : (int) TimeUnit.NANOSECONDS.toSeconds(lingerNanos);
    }

    /** Accepted and ignored: UDT sends what it has at once. */
    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        ensureOpen();
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        ensureOpen();
        return true;
    }

    /** Accepted and ignored: UDT keeps connections alive by itself. */
    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        ensureOpen();
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        ensureOpen();
        return true;
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        ensureOpen();
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        ensureOpen();
        return settings.connection().sendBufferPackets() * settings.connection().payloadSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        ensureOpen();
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        ensureOpen();
        return settings.connection().receiveBufferPackets() * settings.connection().payloadSize();
    }

    /**
     * UDT_REUSEADDR (on by default, as in 4.11): a bind to an address and port another UDT socket of this process
     * has bound shares that UDP port; takes effect at the next bind.
     */
    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        ensureOpen();
        reuseAddress = on;
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        ensureOpen();
        return reuseAddress;
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        ensureOpen();
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        ensureOpen();
        return false;
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("UDT has no urgent data");
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        ensureOpen();
    }

    @Override
    public int getTrafficClass() throws SocketException {
        ensureOpen();
        return 0;
    }

    /** RTT, sending period, window and packet counters of the connection, or "unconnected". */
    public String statistics() {
        ConnectionEndpoint current = endpoint;
        return current == null ? "unconnected" : current.describe();
    }

    @Override
    public String toString() {
        ConnectionEndpoint current = endpoint;
        return current == null ? "UdtSocket[unconnected]"
                : "UdtSocket[peer=" + current.peer() + ", local=" + current.localAddress() + "]";
    }

    private void ensureOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    private ConnectionEndpoint connected() throws SocketException {
        ConnectionEndpoint current = endpoint;
        if (current == null) {
            throw new SocketException("Socket is not connected");
        }
        return current;
    }

    private final class UdtInputStream extends InputStream {
        private final ConnectionEndpoint endpoint;
        private final byte[] single = new byte[1];

        UdtInputStream(ConnectionEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public int read() throws IOException {
            int n = read(single, 0, 1);
            return n < 0 ? -1 : single[0] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            ensureOpen();
            if (inputShutdown) {
                return -1;
            }
            return endpoint.read(buffer, offset, length, soTimeoutMillis);
        }

        @Override
        public int available() throws IOException {
            ensureOpen();
            return inputShutdown ? 0 : endpoint.available();
        }

        @Override
        public void close() {
            UdtSocket.this.close();
        }
    }

    private final class UdtOutputStream extends OutputStream {
        private final ConnectionEndpoint endpoint;

        UdtOutputStream(ConnectionEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            ensureOpen();
            if (outputShutdown) {
                throw new SocketException("Socket output is shutdown");
            }
            endpoint.write(buffer, offset, length);
        }

        @Override
        public void close() {
            UdtSocket.this.close();
        }
    }
}
