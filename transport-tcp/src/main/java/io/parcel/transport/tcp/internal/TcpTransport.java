package io.parcel.transport.tcp.internal;

import io.parcel.spi.HostLookup;
import io.parcel.spi.Transport;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * TCP through the JDK's sockets. Every connection (made or accepted) has TCP_NODELAY, SO_KEEPALIVE, SO_TIMEOUT =
 * the I/O timeout, and writes bounded by the same timeout; the configured buffer sizes if any. The transport
 * owns one watchdog thread (started with the first connection) and nothing else; connections outlive
 * {@link #close()} but their writes are then no longer bounded.
 */
public final class TcpTransport implements Transport {
    private final String name;
    private final TcpConfig config;
    private final WriteWatchdog watchdog;
    private volatile boolean closed;

    public TcpTransport(String name, TcpConfig config) {
        this.name = requireNonNull(name, "name is null");
        this.config = requireNonNull(config, "config is null");
        this.watchdog = config.ioTimeout().isZero() ? null : new WriteWatchdog(config.ioTimeout(), System::nanoTime);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * {@inheritDoc}
     *
     * <p>An unresolved {@code remote} is resolved here, within {@code timeout}, and its addresses (127.0.0.1 and ::1
     * for "localhost", say) are tried in the resolver's order with the time left, so one that refuses is not final.
     */
    @Override
    public Socket connect(InetSocketAddress remote, Duration timeout) throws IOException {
        requireNonNull(remote, "remote is null");
        requireNonNull(timeout, "timeout is null");
        checkOpen();
        if (!remote.isUnresolved()) {
            return connect(remote, timeout.toMillis());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException failure = null;
        for (InetAddress address : HostLookup.system().resolve(remote.getHostString(), timeout)) {
            long millisLeft = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (millisLeft <= 0) {
                break;
            }
            try {
                return connect(new InetSocketAddress(address, remote.getPort()), millisLeft);
            } catch (IOException e) {
                if (failure != null) {
                    e.addSuppressed(failure);
                }
                failure = e;
            }
        }
        throw failure != null ? failure : new SocketTimeoutException("connect to " + remote + " timed out after "
                + timeout.toMillis() + " ms");
    }

    private Socket connect(InetSocketAddress remote, long millis) throws IOException {
        // Socket.connect takes 0 as "forever"; a zero or tiny timeout still means "almost at once".
        int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, millis));
        TcpSocket socket = new TcpSocket(watchdog);
        try {
            socket.configure(config);
            socket.connect(remote, timeoutMillis);
        } catch (SocketTimeoutException e) {
            socket.close();
            throw withCause(new SocketTimeoutException("connect to " + remote + " timed out after "
                    + timeoutMillis + " ms"), e);
        } catch (ConnectException e) {
            socket.close();
            throw withCause(new ConnectException("connect to " + remote + " failed: " + e.getMessage()), e);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        socket.watch();
        return socket;
    }

    @Override
    public ServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
        requireNonNull(local, "local is null");
        checkOpen();
        TcpServerSocket listener = new TcpServerSocket(config, watchdog);
        try {
            listener.bind(local, backlog);
        } catch (BindException e) {
            listener.close();
            throw withCause(new BindException("cannot listen on " + local + ": " + e.getMessage()), e);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        return listener;
    }

    @Override
    public void close() {
        closed = true;
        if (watchdog != null) {
            watchdog.close();
        }
    }

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("the " + name + " transport is closed");
        }
    }

    private static <T extends IOException> T withCause(T exception, Throwable cause) {
        exception.initCause(cause);
        return exception;
    }

    @Override
    public String toString() {
        return "TcpTransport[" + config + "]";
    }
}
