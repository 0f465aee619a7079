package io.parcel.transport.udt.internal.io;

import io.parcel.transport.udt.internal.core.ListenerCore;
import io.parcel.transport.udt.internal.core.UdtConnection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static java.util.Objects.requireNonNull;

/**
 * A listening UDT socket: runs the {@link ListenerCore} handshake on the receive thread and queues accepted
 * connections (at most {@code backlog}; more are rejected with 1002) for {@link #accept}.
 */
public final class ListenerEndpoint implements Endpoint {
    private final Multiplexer multiplexer;
    private final SocketSettings settings;
    private final int backlog;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition acceptable = lock.newCondition();
    private final ArrayDeque<ConnectionEndpoint> pending = new ArrayDeque<>();
    private final ListenerCore core;
    private boolean closed;

    private ListenerEndpoint(Multiplexer multiplexer, SocketSettings settings, int backlog) {
        this.multiplexer = requireNonNull(multiplexer, "multiplexer is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.backlog = Math.max(1, backlog);
        byte[] secret = new byte[16];
        multiplexer.engine().random().nextBytes(secret);
        this.core = new ListenerCore(settings.connection().socketType(), multiplexer::send, this::acceptRequest,
                secret, System.nanoTime());
    }

    /** Listens on {@code multiplexer}, taking over its reference. */
    static ListenerEndpoint listen(Multiplexer multiplexer, SocketSettings settings, int backlog)
            throws IOException {
        ListenerEndpoint endpoint = new ListenerEndpoint(multiplexer, settings, backlog);
        multiplexer.setListener(endpoint);
        return endpoint;
    }

    public InetSocketAddress localAddress() {
        return multiplexer.localAddress();
    }

    @Override
    public void deliver(ByteBuffer packet, InetSocketAddress source, long nowNanos) {
        lock.lock();
        try {
            if (!closed) {
                core.receive(packet, source, nowNanos);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long service(ByteBuffer scratch, long nowNanos) {
        return Long.MAX_VALUE;
    }

    private UdtConnection acceptRequest(ByteBuffer request, InetSocketAddress peer, long nowNanos) {
        if (closed || pending.size() >= backlog) {
            return null;
        }
        try {
            ConnectionEndpoint endpoint = ConnectionEndpoint.accepted(multiplexer, settings, peer,
                    created -> UdtConnection.accepted(settings.connection(), created.localSocketId(), peer,
                            created.output(), request, nowNanos));
            UdtConnection connection = endpoint.connection();
            endpoint.onRelease(() -> forget(connection));
            pending.add(endpoint);
            acceptable.signalAll();
            return connection;
        } catch (IOException e) {
            return null;
        }
    }

    private void forget(UdtConnection connection) {
        lock.lock();
        try {
            core.forget(connection);
        } finally {
            lock.unlock();
        }
    }

    /** The next accepted connection; waits at most {@code timeoutMillis} (0 = until one arrives or close). */
    public ConnectionEndpoint accept(int timeoutMillis) throws IOException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (pending.isEmpty()) {
                if (closed) {
                    throw new SocketException("UDT server socket is closed");
                }
                if (timeoutMillis == 0) {
                    acceptable.await();
                } else {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        throw new SocketTimeoutException("accept timed out after " + timeoutMillis + " ms");
                    }
                    acceptable.awaitNanos(remaining);
                }
            }
            return pending.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("accept interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Stops listening; queued, never accepted connections are closed; accepted ones live on. Idempotent. */
    public void close() {
        List<ConnectionEndpoint> orphans;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            orphans = new ArrayList<>(pending);
            pending.clear();
            acceptable.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            multiplexer.setListener(null);
        } catch (IOException e) {
            // clearing never fails
        }
        for (ConnectionEndpoint orphan : orphans) {
            orphan.close(0);
        }
        multiplexer.release();
    }

    void abort() {
        close();
    }

    /** Handshake counters: dropped, bad cookies, rejected. */
    public String describe() {
        lock.lock();
        try {
            return "dropped=" + core.dropped() + " badCookies=" + core.badCookies() + " rejected=" + core.rejected();
        } finally {
            lock.unlock();
        }
    }
}
