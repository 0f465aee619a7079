package io.parcel.transport.udt;

import io.parcel.spi.CommonOptions;
import io.parcel.spi.Options;
import io.parcel.spi.UsageException;
import io.parcel.transport.udt.internal.io.ConnectionEndpoint;
import io.parcel.transport.udt.internal.io.SocketSettings;
import io.parcel.transport.udt.internal.io.UdtEngine;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A UDT4 message-mode connection (SOCK_DGRAM, as UDT 4.11's {@code sendmsg} / {@code recvmsg}): whole messages
 * with a time to live and an in-order flag, wire-compatible with a 4.11 peer whose socket is {@code SOCK_DGRAM}.
 * Connect to a {@link UdtMessageServerSocket} (or a 4.11 listener of type SOCK_DGRAM); a stream peer rejects the
 * handshake and so does a message listener a stream client.
 *
 * <p>Semantics (as 4.11): a message is split into packets of one message number whose boundary bits mark first,
 * middle and last; the receiver hands out only whole messages. With {@code inOrder} true a message waits for every
 * earlier message (or for its drop); with false a complete message may overtake earlier incomplete ones. A message
 * whose TTL has passed when one of its packets needs resending is dropped: the sender tells the peer (control
 * type 7) and the peer skips it, so nothing waits for it. Without a TTL every message is delivered.
 *
 * <p>Timeouts: {@link #send} waits for send-buffer room at most the common {@code timeout} option without progress
 * (like {@link UdtSocket}'s writes); {@link #receive} takes its own. {@link #close} waits up to {@code udt.linger}
 * for sent messages to be acknowledged, then tells the peer. Thread-safety: one sending and one receiving thread
 * at a time; close from any thread.
 */
public final class UdtMessageSocket implements Closeable {
    private final ConnectionEndpoint endpoint;
    private final SocketSettings settings;
    private volatile boolean closed;

    private UdtMessageSocket(ConnectionEndpoint endpoint, SocketSettings settings) {
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    /** Connects with default options. */
    public static UdtMessageSocket connect(InetSocketAddress peer) throws IOException {
        try {
            return connect(peer, Options.empty());
        } catch (UsageException e) {
            throw new IllegalStateException("defaults must be valid", e);
        }
    }

    /**
     * Connects with {@link UdtOptions} keys (MSS, buffers, {@code udt.cc}, linger, {@code udt.bind},
     * {@code udt.rendezvous}) and the common {@code connect-timeout} (UDT's 3 s when unset, 30 s in rendezvous mode,
     * as 4.11) and {@code timeout} keys. In rendezvous mode both sides call this at about the same time, each bound
     * ({@code udt.bind}) to the address the other one connects to; neither listens.
     */
    public static UdtMessageSocket connect(InetSocketAddress peer, Options options)
            throws IOException, UsageException {
        requireNonNull(peer, "peer is null");
        if (peer.isUnresolved()) {
            throw new SocketException("unresolved address " + peer);
        }
        SocketSettings settings = UdtOptions.messageSettings(options);
        boolean rendezvous = options.get(UdtOptions.RENDEZVOUS);
        InetSocketAddress local = UdtOptions.bindAddress(options);
        if (local == null) {
            local = new InetSocketAddress(peer.getAddress() instanceof java.net.Inet6Address
                    ? InetAddress.getByName("::") : InetAddress.getByName("0.0.0.0"), 0);
        }
        long timeoutNanos = options.contains(CommonOptions.CONNECT_TIMEOUT)
                ? options.get(CommonOptions.CONNECT_TIMEOUT).toNanos()
                : settings.defaultConnectTimeoutNanos(rendezvous);
        UdtEngine.BoundPort port = UdtEngine.shared().bind(local, settings);
        return new UdtMessageSocket(port.connect(peer, rendezvous, Math.max(1, timeoutNanos)), settings);
    }

    /** The server side of an accepted connection. */
    static UdtMessageSocket accepted(ConnectionEndpoint endpoint, SocketSettings settings) {
        return new UdtMessageSocket(endpoint, settings);
    }

    /** Sends {@code message} with no time limit: it is delivered unless the connection breaks. */
    public void send(ByteBuffer message, boolean inOrder) throws IOException {
        send(message, null, inOrder);
    }

    /**
     * Sends the bytes from {@code message}'s position to its limit as one message; the position advances to the
     * limit once the whole message is in the send buffer. Blocks while the send buffer lacks room for all of it.
     *
     * @param ttl     how long the message may take (from this call) before it is dropped instead of resent;
     *                null for no limit
     * @param inOrder whether the peer must deliver it after every earlier message
     * @throws MessageSizeException   when the message exceeds {@link #maxMessageSize()} (nothing is sent)
     * @throws SocketTimeoutException when no room appeared within the {@code timeout} option
     * @throws SocketException        when the socket is closed or the connection broke
     */
    public void send(ByteBuffer message, Duration ttl, boolean inOrder) throws IOException {
        requireNonNull(message, "message is null");
        if (ttl != null && ttl.isNegative()) {
            throw new IllegalArgumentException("ttl is negative: " + ttl);
        }
        ensureOpen();
        int limit = maxMessageSize();
        if (message.remaining() > limit) {
            throw new MessageSizeException("message of " + message.remaining() + " bytes exceeds the limit of "
                    + limit + " bytes (the send buffer, or the peer's receive buffer less one packet)",
                    message.remaining(), limit);
        }
        long ttlNanos = ttl == null ? -1 : ttl.toNanos();
        long timeout = settings.ioTimeoutNanos();
        boolean sent = endpoint.await(connection -> {
            try {
                return connection.sendMessage(message, ttlNanos, inOrder, System.nanoTime());
            } catch (IllegalStateException e) {
                throw new SocketException("UDT connection to " + endpoint.peer() + ": " + e.getMessage());
            }
        }, timeout);
        if (!sent) {
            throw new SocketTimeoutException("no send-buffer room for a " + message.remaining() + "-byte message in "
                    + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms");
        }
    }

    /**
     * Receives one whole message into {@code into} (from its position; the position advances by its length).
     *
     * @param timeout how long to wait; {@link Duration#ZERO} waits without limit
     * @return the message's length, or -1 when the peer closed and every whole message was received
     * @throws MessageSizeException   when the next message is larger than {@code into}'s remaining room; unlike
     *                                4.11 (which silently truncates it) the message stays queued, so a retry with
     *                                a large enough buffer gets it
     * @throws SocketTimeoutException when no message arrived in time
     * @throws SocketException        when the socket is closed or the connection broke
     */
    public int receive(ByteBuffer into, Duration timeout) throws IOException {
        requireNonNull(into, "into is null");
        requireNonNull(timeout, "timeout is null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout is negative: " + timeout);
        }
        ensureOpen();
        int[] result = new int[1];
        boolean done = endpoint.await(connection -> {
            int next = connection.nextMessageLength();
            if (next > into.remaining()) {
                throw new MessageSizeException("next message has " + next + " bytes, the buffer has room for "
                        + into.remaining(), next, into.remaining());
            }
            try {
                result[0] = connection.receiveMessage(into);
            } catch (IllegalStateException e) {
                throw new SocketException("UDT connection to " + endpoint.peer() + " lost: " + e.getMessage());
            }
            return result[0] != 0 || next == 0;
        }, timeout.toNanos());
        if (!done) {
            throw new SocketTimeoutException("no message within " + timeout.toMillis() + " ms");
        }
        if (result[0] < 0 && closed) {
            throw new SocketException("Socket is closed");
        }
        return result[0];
    }

    /** The largest message {@link #send} takes (send buffer, and the peer's receive buffer less one packet). */
    public int maxMessageSize() throws IOException {
        int[] size = new int[1];
        endpoint.await(connection -> {
            size[0] = connection.maxMessageSize();
            return true;
        }, 0);
        return size[0];
    }

    public InetSocketAddress remoteAddress() {
        return endpoint.peer();
    }

    public InetSocketAddress localAddress() {
        return endpoint.localAddress();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Counters and estimates (stream and message), for diagnostics and tests. */
    public String statistics() throws IOException {
        String[] text = new String[1];
        endpoint.await(connection -> {
            text[0] = connection.messageStats();
            return true;
        }, 0);
        return endpoint.describe() + " " + text[0];
    }

    /**
     * Waits up to {@code udt.linger} for sent messages to be acknowledged (unless the connection is broken), tells
     * the peer, and releases the port. Idempotent; blocked calls fail with a {@link SocketException}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        endpoint.close(settings.lingerNanos());
    }

    private void ensureOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    @Override
    public String toString() {
        return "UdtMessageSocket[" + localAddress() + " -> " + remoteAddress() + "]";
    }

    /** A message larger than the limit on sending, or than the caller's buffer on receiving. */
    public static final class MessageSizeException extends IOException {
        private final int size;
        private final int limit;

        public MessageSizeException(String message, int size, int limit) {
            super(message);
            this.size = size;
            this.limit = limit;
        }

        /** The message's length in bytes. */
        public int size() {
            return size;
        }

        /** The room there was (send limit or receive buffer room). */
        public int limit() {
            return limit;
        }
    }
}
