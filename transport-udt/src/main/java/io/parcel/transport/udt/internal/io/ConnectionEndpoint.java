package io.parcel.transport.udt.internal.io;

import io.parcel.transport.udt.internal.core.ConnectionConfig;
import io.parcel.transport.udt.internal.core.UdtConnection;
import io.parcel.transport.udt.internal.wire.Packet;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * A {@link UdtConnection} made thread-safe and blocking: one lock guards the state machine; the receive thread
 * feeds it, the multiplexer's sender thread runs its timers and sends its data, and application threads block in
 * {@link #read} / {@link #write} / {@link #close} on one condition that every change signals. Each blocking call
 * has a deadline.
 *
 * <p>Waking a blocked reader for every data packet cost an unpark, a context switch and a condition node per
 * datagram, and the reader then copied one packet. So data arrivals only mark a wake-up as owed; the receive thread
 * pays it after {@link #DEFERRED_PACKETS_MAX} packets, or once it has drained the UDP socket and the oldest owed
 * packet has waited {@link #DEFERRED_NANOS_MAX} ({@link #flushDeferredSignal}). Paid at every drained socket, the
 * wake-ups came every 3-4 packets on loopback, where the receive thread empties the socket faster than a sender
 * fills it (44,000 reader wake-ups a second at 1.9 Gbit/s, each also preempting the receive thread). Control
 * packets (ACKs that open the window, shutdown) and timers still wake at once.
 */
public final class ConnectionEndpoint implements Endpoint {
    private static final int BURST_PACKETS = 64;
    /** Data packets a blocked reader may be left waiting for while more datagrams are queued (~46 KB at MSS 1500). */
    static final int DEFERRED_PACKETS_MAX = 32;
    /** How long a drained socket may leave a reader waiting for the packets it already has. */
    static final long DEFERRED_NANOS_MAX = 200_000L;

    private final Multiplexer multiplexer;
    private final SocketSettings settings;
    private final int localSocketId;
    private final InetSocketAddress peer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private UdtConnection connection;
    private volatile boolean connecting = true;
    private volatile boolean dataDue;
    private boolean released;
    /** Threads waiting on {@link #changed}; guarded by the lock. */
    private int waiters;
    /** Data packets delivered since the last wake-up while someone waited; guarded by the lock. */
    private int deferredPackets;
    /** Set (under the lock) when a wake-up is owed; read without it by the receive thread. */
    private volatile boolean signalOwed;
    /** When the first packet of the owed wake-up was delivered; written under the lock, read by the receive thread. */
    private volatile long firstDeferredNanos;
    private volatile Runnable onRelease;

    private ConnectionEndpoint(Multiplexer multiplexer, SocketSettings settings, int localSocketId,
            InetSocketAddress peer) {
        this.multiplexer = requireNonNull(multiplexer, "multiplexer is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.localSocketId = localSocketId;
        this.peer = requireNonNull(peer, "peer is null");
    }

    /**
     * Connects (client or rendezvous) over {@code multiplexer}, whose reference the endpoint takes over (released
     * on close or failure).
     */
    static ConnectionEndpoint connect(Multiplexer multiplexer, SocketSettings settings, InetSocketAddress peer,
            boolean rendezvous, long timeoutNanos) throws IOException {
        UdtEngine engine = multiplexer.engine();
        ConnectionEndpoint endpoint = new ConnectionEndpoint(multiplexer, settings, engine.newSocketId(), peer);
        UdtConnection.Output output = multiplexer::send;
        endpoint.lock.lock();
        boolean locked = true;
        try {
            multiplexer.register(endpoint);
            long now = System.nanoTime();
            // The connection gives up its handshake at its own deadline: this call's, not the socket's default
            // (with that, every connect ended after 3 s whatever the caller allowed, e.g. under load)
            ConnectionConfig config = settings.connection().withConnectTimeout(timeoutNanos);
            endpoint.connection = rendezvous
                    ? UdtConnection.rendezvous(config, endpoint.localSocketId, peer, output,
                            engine.newInitialSequence(), now)
                    : UdtConnection.client(config, endpoint.localSocketId, peer, output,
                            engine.newInitialSequence(), now);
            long deadline = now + timeoutNanos;
            while (endpoint.connection.state() == UdtConnection.State.CONNECTING) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    endpoint.connection.fail("connect timed out");
                    break;
                }
                endpoint.awaitChange(remaining);
            }
            UdtConnection connection = endpoint.connection;
            endpoint.connecting = false;
            if (connection.state() != UdtConnection.State.CONNECTED) {
                endpoint.releaseLocked();
                endpoint.lock.unlock();
                locked = false;
                endpoint.finishRelease();
                if (connection.isRejected()) {
                    throw new ConnectException("UDT connection to " + peer + " rejected by the peer (UDT"
                            + " version or socket type STREAM/DGRAM differs, or its accept backlog is full)");
                }
                if (connection.isConnectTimedOut() || "connect timed out".equals(connection.failure())) {
                    throw new SocketTimeoutException("UDT connect to " + peer + " timed out after "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
                throw new ConnectException("UDT connect to " + peer + " failed: " + connection.failure());
            }
            return endpoint;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            endpoint.connection.fail("interrupted");
            endpoint.releaseLocked();
            endpoint.lock.unlock();
            locked = false;
            endpoint.finishRelease();
            throw new java.io.InterruptedIOException("connect interrupted");
        } finally {
            if (locked) {
                endpoint.lock.unlock();
            }
        }
    }

    /** Creates the server side of an accepted connection (called by the listener on the receive thread). */
    static ConnectionEndpoint accepted(Multiplexer multiplexer, SocketSettings settings, InetSocketAddress peer,
            Function<ConnectionEndpoint, UdtConnection> factory) throws IOException {
        multiplexer.retain();
        ConnectionEndpoint endpoint = new ConnectionEndpoint(multiplexer, settings,
                multiplexer.engine().newSocketId(), peer);
        endpoint.lock.lock();
        try {
            endpoint.connection = factory.apply(endpoint);
            endpoint.connecting = false;
            multiplexer.register(endpoint);
        } finally {
            endpoint.lock.unlock();
        }
        return endpoint;
    }

    int localSocketId() {
        return localSocketId;
    }

    UdtConnection.Output output() {
        return multiplexer::send;
    }

    public InetSocketAddress peer() {
        return peer;
    }

    public InetSocketAddress localAddress() {
        return multiplexer.localAddress();
    }

    /** The UDP port this socket uses (for tests of the port's state). */
    Multiplexer multiplexer() {
        return multiplexer;
    }

    boolean isConnecting() {
        return connecting;
    }

    boolean hasDataDue() {
        return dataDue;
    }

    /** The state machine; touch it only under this endpoint's lock (or before the endpoint is published). */
    UdtConnection connection() {
        return connection;
    }

    @Override
    public void deliver(ByteBuffer packet, InetSocketAddress source, long nowNanos) {
        lock.lock();
        try {
            if (connection == null) {
                return;
            }
            boolean data = !Packet.isControl(packet);
            connection.receive(packet, nowNanos);
            dataDue = connection.nextDataNanos() != Long.MAX_VALUE;
            if (waiters == 0) {
                return;
            }
            if (data && ++deferredPackets < DEFERRED_PACKETS_MAX) {
                if (!signalOwed) {
                    firstDeferredNanos = nowNanos;
                    signalOwed = true;
                }
            } else {
                signalLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pays a wake-up {@link #deliver} deferred if its first packet has waited {@link #DEFERRED_NANOS_MAX}; the
     * receive thread calls this when the UDP socket is empty.
     *
     * @return false when a wake-up is still owed (too young to pay): the caller looks again soon
     */
    boolean flushDeferredSignal(long nowNanos) {
        if (!signalOwed) {
            return true;
        }
        if (nowNanos - firstDeferredNanos < DEFERRED_NANOS_MAX) {
            return false;
        }
        lock.lock();
        try {
            signalLocked();
        } finally {
            lock.unlock();
        }
        return true;
    }

    private void signalLocked() {
        signalOwed = false;
        deferredPackets = 0;
        if (waiters > 0) {
            changed.signalAll();
        }
    }

    /** {@link Condition#awaitNanos} on {@link #changed}, counted so that deliveries know whether anyone waits. */
    private long awaitChange(long nanos) throws InterruptedException {
        waiters++;
        try {
            return changed.awaitNanos(nanos);
        } finally {
            waiters--;
        }
    }

    private void awaitChange() throws InterruptedException {
        waiters++;
        try {
            changed.await();
        } finally {
            waiters--;
        }
    }

    @Override
    public long service(ByteBuffer scratch, long nowNanos) {
        long now = nowNanos;
        for (int i = 0; i < BURST_PACKETS; i++) {
            int length;
            lock.lock();
            try {
                if (connection == null) {
                    return Long.MAX_VALUE;
                }
                if (i == 0 && now - connection.nextTimerNanos() >= 0) {
                    connection.tick(now);
                    signalLocked();
                }
                length = connection.pollData(scratch, now);
                if (length == 0) {
                    long next = Math.min(connection.nextTimerNanos(), connection.nextDataNanos());
                    dataDue = connection.nextDataNanos() != Long.MAX_VALUE;
                    return next;
                }
            } finally {
                lock.unlock();
            }
            multiplexer.send(scratch, peer);
            now = System.nanoTime();
        }
        return now;
    }

    /**
     * Reads into {@code target}; waits at most {@code timeoutMillis} (0 = until data, end of stream or failure).
     *
     * @return bytes read, or -1 at end of stream
     */
    public int read(byte[] target, int offset, int length, int timeoutMillis) throws IOException {
        if (length == 0) {
            return 0;
        }
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                int n;
                try {
                    n = connection.read(target, offset, length);
                } catch (IllegalStateException e) {
                    throw new SocketException("UDT connection to " + peer + " lost: " + e.getMessage());
                }
                if (n != 0) {
                    return n;
                }
                if (timeoutMillis == 0) {
                    awaitChange();
                } else {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        throw new SocketTimeoutException("read timed out after " + timeoutMillis + " ms");
                    }
                    awaitChange(remaining);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("read interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** One try of a blocking operation, made under the endpoint's lock; true when it is done. */
    @FunctionalInterface
    public interface Attempt {
        boolean tryOnce(UdtConnection connection) throws IOException;
    }

    /**
     * Retries {@code attempt} under the lock, waiting for the connection to change in between, for at most
     * {@code timeoutNanos} (0: no limit); wakes the sender when the attempt left data to send. Message mode's
     * blocking send and receive are built on this.
     *
     * @return false when the time ran out first
     */
    public boolean await(Attempt attempt, long timeoutNanos) throws IOException {
        boolean wake = false;
        lock.lock();
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            while (!attempt.tryOnce(connection)) {
                // Through awaitChange, so that deliveries know someone waits and signal (they skip it otherwise).
                if (timeoutNanos == 0) {
                    awaitChange();
                } else {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return false;
                    }
                    awaitChange(remaining);
                }
            }
            wake = connection.nextDataNanos() != Long.MAX_VALUE;
            if (wake) {
                dataDue = true;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } finally {
            lock.unlock();
            if (wake) {
                multiplexer.wakeSender();
            }
        }
    }

    /** Bytes readable without waiting: a lower bound, 0 at end of stream or after a failure. */
    public int available() {
        lock.lock();
        try {
            return connection.available();
        } finally {
            lock.unlock();
        }
    }

    /** Writes all of {@code source}, waiting for buffer space at most the I/O timeout between progress. */
    public void write(byte[] source, int offset, int length) throws IOException {
        int written = 0;
        lock.lock();
        try {
            long deadline = System.nanoTime() + settings.ioTimeoutNanos();
            while (written < length) {
                int n;
                try {
                    n = connection.write(source, offset + written, length - written);
                } catch (IllegalStateException e) {
                    throw new SocketException("UDT connection to " + peer + ": " + e.getMessage());
                }
                if (n > 0) {
                    written += n;
                    deadline = System.nanoTime() + settings.ioTimeoutNanos();
                    dataDue = true;
                    multiplexer.wakeSender();
                    continue;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new SocketTimeoutException("write made no progress for "
                            + TimeUnit.NANOSECONDS.toMillis(settings.ioTimeoutNanos()) + " ms");
                }
                awaitChange(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("write interrupted");
        } finally {
            lock.unlock();
        }
        multiplexer.wakeSender();
    }

    public void shutdownOutput() {
        lock.lock();
        try {
            connection.shutdownOutput(System.nanoTime());
        } finally {
            lock.unlock();
        }
        multiplexer.wakeSender();
    }

    /**
     * Closes: waits up to {@code lingerNanos} for written data to be acknowledged (unless the connection is
     * already broken), tells the peer, and releases the port reference. Idempotent.
     */
    public void close(long lingerNanos) {
        boolean release;
        lock.lock();
        try {
            if (released) {
                return;
            }
            long deadline = System.nanoTime() + lingerNanos;
            while (connection.state() == UdtConnection.State.CONNECTED && !connection.isBroken()
                    && !connection.isPeerShutdown() && !connection.isSendBufferEmpty()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                try {
                    awaitChange(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            connection.close(System.nanoTime());
            release = releaseLocked();
        } finally {
            lock.unlock();
        }
        if (release) {
            finishRelease();
        }
    }

    /** Fails the connection at once (transport closing, internal error): blocked callers return with an error. */
    void abort(String reason) {
        boolean release;
        lock.lock();
        try {
            if (connection != null) {
                connection.fail(reason);
            }
            changed.signalAll();
            release = releaseLocked();
        } finally {
            lock.unlock();
        }
        if (release) {
            finishRelease();
        }
    }

    /**
     * Unregisters under the lock; the caller then calls {@link #finishRelease} after unlocking, because closing
     * the port joins the receive thread, which may be waiting for this very lock.
     */
    private boolean releaseLocked() {
        if (released) {
            return false;
        }
        released = true;
        connecting = false;
        changed.signalAll();
        multiplexer.unregister(this);
        if (connection != null) {
            connection.releaseMemory();
        }
        return true;
    }

    private void finishRelease() {
        Runnable hook = onRelease;
        if (hook != null) {
            hook.run();
        }
        multiplexer.release();
    }

    /** Runs once the endpoint is released (the listener forgets its handshake record). */
    void onRelease(Runnable hook) {
        this.onRelease = hook;
    }

    /** Counters and estimates, for perf reports and tests. */
    public String describe() {
        lock.lock();
        try {
            return "rtt=" + connection.rttMicros() + "us period=" + String.format("%.2f", connection.periodMicros())
                    + "us cwnd=" + String.format("%.0f", connection.congestionWindow()) + " " + connection.stats()
                    + " " + connection.congestionControlState();
        } finally {
            lock.unlock();
        }
    }
}
