package io.parcel.transport.udt.internal.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What UDT sockets share: socket ids (positive, counting down from a random start below 2^30 as 4.11 does), the
 * random source for initial sequence numbers and cookies, and the open UDP ports so that closing the engine
 * releases them all. One shared instance serves sockets made directly; each transport owns its own.
 */
public final class UdtEngine implements AutoCloseable {
    private static final class Shared {
        static final UdtEngine INSTANCE = new UdtEngine();
    }

    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger nextSocketId = new AtomicInteger(1 + random.nextInt(1 << 30));
    private final Set<Multiplexer> multiplexers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public static UdtEngine shared() {
        return Shared.INSTANCE;
    }

    SecureRandom random() {
        return random;
    }

    int newSocketId() {
        while (true) {
            int id = nextSocketId.getAndDecrement();
            if (id > 0) {
                return id;
            }
            nextSocketId.compareAndSet(id - 1, 1 << 30);
        }
    }

    int newInitialSequence() {
        return random.nextInt() & 0x7FFFFFFF;
    }

    /**
     * Opens a UDP port, with one reference held by the caller; with UDT_REUSEADDR a port this engine already has open
     * on the same address (a chosen port, not an ephemeral one), also reusable and with the same MSS, is shared
     * instead, as 4.11 does. Synchronized so that two binds to one new port do not both open it.
     */
    synchronized Multiplexer open(InetSocketAddress bindAddress, SocketSettings settings) throws IOException {
        if (closed) {
            throw new IOException("UDT transport is closed");
        }
        if (settings.reuseAddress() && bindAddress.getPort() != 0) {
            for (Multiplexer open : multiplexers) {
                if (open.isReusable() && !open.isClosed() && open.localAddress().equals(bindAddress)) {
                    if (open.mss() != settings.connection().mss()) {
                        throw new java.net.BindException(bindAddress + " is in use by UDT sockets with MSS "
                                + open.mss() + ", not " + settings.connection().mss());
                    }
                    try {
                        open.retain();
                        return open;
                    } catch (IOException closing) {
                        break; // it closed just now: open the port anew
                    }
                }
            }
        }
        Multiplexer multiplexer = Multiplexer.open(this, bindAddress, settings);
        multiplexer.retain();
        multiplexers.add(multiplexer);
        return multiplexer;
    }

    void forget(Multiplexer multiplexer) {
        multiplexers.remove(multiplexer);
    }

    /** Open UDP ports (for leak checks). */
    public int openPorts() {
        return multiplexers.size();
    }

    /** Binds a UDP port for a socket that will connect from it (rendezvous, or a chosen local port). */
    public BoundPort bind(InetSocketAddress local, SocketSettings settings) throws IOException {
        return new BoundPort(open(local, settings), settings);
    }

    /** Listens on {@code local}. */
    public ListenerEndpoint listen(InetSocketAddress local, SocketSettings settings, int backlog)
            throws IOException {
        Multiplexer multiplexer = open(local, settings);
        try {
            return ListenerEndpoint.listen(multiplexer, settings, backlog);
        } catch (IOException | RuntimeException e) {
            multiplexer.release();
            throw e;
        }
    }

    /** Closes every port this engine opened; their sockets fail. Not allowed on the shared engine. */
    @Override
    public void close() {
        if (this == Shared.INSTANCE) {
            return;
        }
        closed = true;
        for (Multiplexer multiplexer : new ArrayList<>(multiplexers)) {
            multiplexer.forceClose();
        }
    }

    /** A bound UDP port not yet connected; connecting hands its reference to the connection. */
    public static final class BoundPort implements AutoCloseable {
        private final Multiplexer multiplexer;
        private final SocketSettings settings;
        private boolean handedOver;

        private BoundPort(Multiplexer multiplexer, SocketSettings settings) {
            this.multiplexer = multiplexer;
            this.settings = settings;
        }

        public InetSocketAddress localAddress() {
            return multiplexer.localAddress();
        }

        /** Connects from this port; the port then belongs to the connection, whether or not it succeeds. */
        public ConnectionEndpoint connect(InetSocketAddress peer, boolean rendezvous, long timeoutNanos)
                throws IOException {
            if (handedOver) {
                throw new IOException("already connected");
            }
            handedOver = true;
            ConnectionEndpoint endpoint = ConnectionEndpoint.connect(multiplexer, settings, peer, rendezvous,
                    timeoutNanos);
            multiplexer.pin(endpoint);
            return endpoint;
        }

        @Override
        public void close() {
            if (!handedOver) {
                handedOver = true;
                multiplexer.release();
            }
        }
    }
}
