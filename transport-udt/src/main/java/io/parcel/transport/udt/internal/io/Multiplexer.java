package io.parcel.transport.udt.internal.io;

import io.parcel.transport.udt.internal.wire.Packet;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static java.util.Objects.requireNonNull;

/**
 * One UDP port shared by every UDT socket bound to it, as in UDT 4.11: a receive thread dispatches each datagram
 * by destination socket id (0 goes to the listener, or to a rendezvous socket connecting to the sender) after
 * checking that it comes from the socket's peer, and a sender thread runs the sockets' timers and paces their data.
 * It closes itself (both threads end) when the last socket using it is released.
 *
 * <p>The channel is non-blocking: the receive thread reads until the socket is empty, then pays the reader
 * wake-ups its connections deferred long enough ({@link ConnectionEndpoint#flushDeferredSignal}) and waits in a
 * selector, or sleeps briefly while a younger wake-up is owed. A send that finds the socket buffer full is retried
 * briefly, as a blocking send would have waited.
 */
final class Multiplexer {
    private static final long IDLE_WAIT_NANOS = 10_000_000L;
    /** How long the receive thread waits in the selector before it looks at {@link #closed} again. */
    private static final long RECEIVE_WAIT_MILLIS = 100;
    /** A send that finds the UDP send buffer full is retried this often, this far apart, then counted as lost. */
    private static final int SEND_RETRIES = 100;
    private static final long SEND_RETRY_NANOS = 20_000L;
    private static final long THREAD_JOIN_MILLIS = 2_000;
    private static final int SCAN_LIMIT = 8;
    /** How soon an empty socket is read again while a reader's wake-up is owed (see ConnectionEndpoint). */
    private static final long DEFERRED_RECHECK_NANOS = 50_000L;
    /**
     * The sender sleeps at least this long between bursts: at hundreds of Mbit/s the pacing gap is ~25 µs, and a
     * wake-up per packet or two cost more CPU than the packets (a 500 Mbit/s flow then left too little of 2 cores
     * to the rest); the pacing debt lets what fell due meanwhile leave together, a burst of a few packets that any
     * bottleneck queue absorbs. Wider gaps (slower flows) are kept exactly. A system property so benchmarks can
     * compare (0 = wake for every gap).
     *
     * <p>The receive side batches less on purpose: arrival times are the receiver's measurements (packet-pair
     * capacity, arrival rate), and a receive thread that waited to collect packets read bunched arrivals (tried: a
     * 250 µs wait after every small batch saved 1.5 CPU s/GiB but a 500 Mbit/s RTT 100 ms flow made 268 Mbit/s
     * twice, against 278-417 without it, on a busy machine). It sleeps only 50 µs, and only while a blocked
     * reader's wake-up is owed.
     */
    static final long MIN_SEND_PARK_NANOS = Long.getLong("parcel.udt.minSendParkMicros", 200L) * 1_000L;

    private final UdtEngine engine;
    private final DatagramChannel channel;
    private final Selector selector;
    private final Consumer<SelectionKey> ignoreKey = key -> { };
    private final InetSocketAddress localAddress;
    /** Opened with UDT_REUSEADDR: later binds to the same address and MSS share it. */
    private final boolean reusable;
    private final int mss;
    private final ConcurrentHashMap<Integer, ConnectionEndpoint> connections = new ConcurrentHashMap<>();
    /**
     * The same endpoints as an array for the hot paths: iterating the map allocates an iterator per sender pass
     * and looking a socket id up boxes it per datagram. Replaced (copy on write) under {@code this}.
     */
    private volatile ConnectionEndpoint[] endpoints = new ConnectionEndpoint[0];
    private final Thread receiver;
    private final Thread sender;
    private final AtomicLong dropped = new AtomicLong();
    private volatile ListenerEndpoint listener;
    private volatile boolean closed;
    private volatile boolean senderIdle;
    private int users;

    private Multiplexer(UdtEngine engine, DatagramChannel channel, Selector selector, SocketSettings settings)
            throws IOException {
        this.engine = requireNonNull(engine, "engine is null");
        this.reusable = settings.reuseAddress();
        this.mss = settings.connection().mss();
        this.channel = requireNonNull(channel, "channel is null");
        this.selector = requireNonNull(selector, "selector is null");
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        String port = String.valueOf(localAddress.getPort());
        this.receiver = Thread.ofPlatform().daemon().name("udt-receive-" + port).unstarted(this::receiveLoop);
        this.sender = Thread.ofPlatform().daemon().name("udt-send-" + port).unstarted(this::sendLoop);
    }

    static Multiplexer open(UdtEngine engine, InetSocketAddress bindAddress, SocketSettings settings)
            throws IOException {
        DatagramChannel channel;
        if (bindAddress.getAddress() instanceof Inet4Address) {
            channel = DatagramChannel.open(StandardProtocolFamily.INET);
        } else if (bindAddress.getAddress() instanceof Inet6Address) {
            channel = DatagramChannel.open(StandardProtocolFamily.INET6);
        } else {
            channel = DatagramChannel.open();
        }
        Selector selector = null;
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, settings.udpReceiveBuffer());
            channel.setOption(StandardSocketOptions.SO_SNDBUF, settings.udpSendBuffer());
            channel.bind(bindAddress);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            Multiplexer multiplexer = new Multiplexer(engine, channel, selector, settings);
            multiplexer.receiver.start();
            multiplexer.sender.start();
            return multiplexer;
        } catch (IOException | RuntimeException e) {
            if (selector != null) {
                selector.close();
            }
            channel.close();
            throw e;
        }
    }

    InetSocketAddress localAddress() {
        return localAddress;
    }

    boolean isReusable() {
        return reusable;
    }

    int mss() {
        return mss;
    }

    UdtEngine engine() {
        return engine;
    }

    long dropped() {
        return dropped.get();
    }

    boolean isClosed() {
        return closed;
    }

    /** Takes a reference; the multiplexer stays open until every reference is released. */
    synchronized void retain() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        users++;
    }

    /** Gives a reference back; the last one closes the port and ends both threads. */
    void release() {
        synchronized (this) {
            if (--users > 0 || closed) {
                return;
            }
            closed = true;
        }
        shutdown();
    }

    /** Closes regardless of users (the engine is closing); their sockets fail. */
    void forceClose() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (ConnectionEndpoint endpoint : connections.values()) {
            endpoint.abort("transport closed");
        }
        ListenerEndpoint current = listener;
        if (current != null) {
            current.abort();
        }
        shutdown();
    }

    private void shutdown() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
        // the channel's socket is closed for good once the selector lets go of it
        selector.wakeup();
        LockSupport.unpark(sender);
        engine.forget(this);
        if (Thread.currentThread() != receiver && Thread.currentThread() != sender) {
            join(receiver);
            join(sender);
            closeSelector();
        }
    }

    private void closeSelector() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(THREAD_JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void register(ConnectionEndpoint endpoint) {
        synchronized (this) {
            unpinLocked();
            connections.put(endpoint.localSocketId(), endpoint);
            endpoints = connections.values().toArray(new ConnectionEndpoint[0]);
        }
    }

    void unregister(ConnectionEndpoint endpoint) {
        synchronized (this) {
            connections.remove(endpoint.localSocketId(), endpoint);
            endpoints = connections.values().toArray(new ConnectionEndpoint[0]);
        }
    }

    private ConnectionEndpoint endpoint(int socketId) {
        ConnectionEndpoint[] current = endpoints;
        if (current.length > SCAN_LIMIT) {
            return connections.get(socketId);
        }
        for (ConnectionEndpoint endpoint : current) {
            if (endpoint.localSocketId() == socketId) {
                return endpoint;
            }
        }
        return null;
    }

    void setListener(ListenerEndpoint endpoint) throws IOException {
        synchronized (this) {
            if (listener != null && endpoint != null) {
                throw new java.net.BindException("a listener already uses " + localAddress);
            }
            if (endpoint != null) {
                unpinLocked();
            }
            listener = endpoint;
        }
    }

    /**
     * Connects the channel to the peer of {@code endpoint} when that connected socket is the port's only user (no
     * listener, no other socket): the kernel then skips the route lookup and address handling of every send
     * (measured on loopback: ~15 % less sender CPU per datagram, 265k against 226k datagrams/s on one core), and
     * drops datagrams from other sources before they reach the receive thread. A socket or listener joining the
     * port later disconnects it again ({@link #unpinLocked}).
     */
    void pin(ConnectionEndpoint endpoint) {
        synchronized (this) {
            if (closed || listener != null || channel.isConnected() || connections.size() != 1
                    || connections.get(endpoint.localSocketId()) != endpoint) {
                return;
            }
            try {
                channel.connect(endpoint.peer());
            } catch (IOException | RuntimeException e) {
                // an unconnected channel serves the socket as well, only with a dearer send
            }
        }
    }

    /** Whether the channel is connected to one peer (for tests). */
    boolean isPinned() {
        return channel.isConnected();
    }

    /** Disconnects the channel if {@link #pin} connected it; called holding {@code this}. */
    private void unpinLocked() {
        if (!channel.isConnected()) {
            return;
        }
        try {
            channel.disconnect();
        } catch (IOException e) {
            // a channel that will not disconnect is closing; its sockets fail on their own
        }
    }

    /** Sends a datagram; a failure is counted, and loss recovery takes care of it like any other loss. */
    void send(ByteBuffer datagram, InetSocketAddress target) {
        try {
            for (int attempt = 0; channel.send(datagram, target) == 0; attempt++) {
                if (attempt == SEND_RETRIES || closed) {
                    dropped.incrementAndGet();
                    return;
                }
                LockSupport.parkNanos(SEND_RETRY_NANOS);
            }
        } catch (IOException | AlreadyConnectedException e) {
            // a connected channel reports an ICMP unreachable from its peer here; peer death is the EXP timer's
            dropped.incrementAndGet();
        }
    }

    /** Tells the sender thread there may be new work (data written, window opened). */
    void wakeSender() {
        if (senderIdle) {
            LockSupport.unpark(sender);
        }
    }

    private void receiveLoop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
        try {
            receiveUntilClosed(buffer);
        } finally {
            closeSelector();
        }
    }

    private void receiveUntilClosed(ByteBuffer buffer) {
        while (!closed) {
            InetSocketAddress source;
            try {
                buffer.clear();
                source = (InetSocketAddress) channel.receive(buffer);
                if (source == null) {
                    long now = System.nanoTime();
                    boolean owed = false;
                    for (ConnectionEndpoint endpoint : endpoints) {
                        owed |= !endpoint.flushDeferredSignal(now);
                    }
                    if (owed) {
                        // A short sleep, then drain what arrived meanwhile in one go. Waiting in the selector
                        // instead (whole milliseconds, but it returns at the next datagram) kept the per-datagram
                        // wake-ups: server CPU 7.0 s per 10 s on loopback against 5.0 with the sleep (3 runs each).
                        // Arrivals in the sleep share a timestamp; at 500 Mbit/s RTT 100 ms 0.5 % loss no loss of
                        // goodput was measured (423, 427 against 389, 430 Mbit/s).
                        LockSupport.parkNanos(DEFERRED_RECHECK_NANOS);
                    } else {
                        selector.select(ignoreKey, RECEIVE_WAIT_MILLIS);
                    }
                    continue;
                }
            } catch (PortUnreachableException e) {
                // a connected channel's peer answered with ICMP unreachable (not listening yet, or gone): the
                // connection's timers decide, as they do for an unconnected one that never hears of it
                continue;
            } catch (IOException e) {
                if (!closed && !channel.isOpen()) {
                    forceClose();
                }
                break;
            }
            buffer.flip();
            try {
                dispatch(buffer, source, System.nanoTime());
            } catch (RuntimeException e) {
                // a packet that trips a bug must not take the port down for every other socket
                dropped.incrementAndGet();
            }
        }
    }

    private void dispatch(ByteBuffer packet, InetSocketAddress source, long nowNanos) {
        if (packet.limit() < Packet.HEADER_LENGTH) {
            dropped.incrementAndGet();
            return;
        }
        int destination = Packet.destinationSocketId(packet);
        if (destination == 0) {
            ListenerEndpoint current = listener;
            if (current != null) {
                current.deliver(packet, source, nowNanos);
                return;
            }
            for (ConnectionEndpoint endpoint : connections.values()) {
                if (endpoint.isConnecting() && endpoint.peer().equals(source)) {
                    endpoint.deliver(packet, source, nowNanos);
                    return;
                }
            }
            dropped.incrementAndGet();
            return;
        }
        // a port usually serves a few sockets: a scan then beats boxing the id for a map lookup
        ConnectionEndpoint endpoint = endpoint(destination);
        if (endpoint == null || !endpoint.peer().equals(source)) {
            dropped.incrementAndGet();
            return;
        }
        endpoint.deliver(packet, source, nowNanos);
        if (endpoint.hasDataDue()) {
            wakeSender();
        }
    }

    private void sendLoop() {
        ByteBuffer scratch = ByteBuffer.allocateDirect(65_536);
        while (!closed) {
            long now = System.nanoTime();
            long earliest = now + IDLE_WAIT_NANOS;
            for (ConnectionEndpoint endpoint : endpoints) {
                try {
                    earliest = Math.min(earliest, endpoint.service(scratch, now));
                } catch (RuntimeException e) {
                    endpoint.abort("internal error: " + e);
                }
            }
            long wait = earliest - System.nanoTime();
            if (wait > 0) {
                // No spinning for short gaps: a park oversleeps by up to ~75 µs here, and the pacing debt
                // (UdtConnection.MAX_PACING_DEBT_NANOS) lets what fell due meanwhile leave at once, so the rate
                // holds while the core is left to the other threads (on 2 cores spinning cost more than it kept).
                senderIdle = true;
                // an unpark between these two lines leaves a permit behind, so the park then returns at once
                LockSupport.parkNanos(this, Math.max(MIN_SEND_PARK_NANOS, Math.min(wait, IDLE_WAIT_NANOS)));
                senderIdle = false;
            }
        }
    }

    @Override
    public String toString() {
        return "Multiplexer[" + localAddress + ", " + connections.size() + " sockets]";
    }
}
