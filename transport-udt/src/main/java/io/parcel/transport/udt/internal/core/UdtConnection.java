package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.cc.CongestionContext;
import io.parcel.transport.udt.internal.cc.CongestionControl;
import io.parcel.transport.udt.internal.wire.Ack;
import io.parcel.transport.udt.internal.wire.AckNo;
import io.parcel.transport.udt.internal.wire.ControlPacket;
import io.parcel.transport.udt.internal.wire.DataPacket;
import io.parcel.transport.udt.internal.wire.DropRequest;
import io.parcel.transport.udt.internal.wire.HalfClose;
import io.parcel.transport.udt.internal.wire.Handshake;
import io.parcel.transport.udt.internal.wire.LossReport;
import io.parcel.transport.udt.internal.wire.MsgNo;
import io.parcel.transport.udt.internal.wire.Packet;
import io.parcel.transport.udt.internal.wire.SeqNo;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static java.util.Objects.requireNonNull;

/**
 * One UDT connection as a state machine that does no I/O and reads no clock: it is handed arriving datagrams
 * ({@link #receive}), asked for the next data packet ({@link #pollData}) and told the time ({@link #tick});
 * control packets it produces go to its {@link Output} at once. Everything follows UDT 4.11 (handshake, ACK/ACK2,
 * light ACK, NAK, EXP, keep-alive, shutdown) so that the reference library is a valid peer; where we add
 * something (periodic NAKs, half-close) a 4.11 peer either already understands it or ignores it.
 *
 * <p>Not thread-safe: the owner calls every method under one lock. Buffers passed in are read between index 0
 * and their limit and not kept.
 */
public final class UdtConnection {
    /** Where the connection's datagrams go; called under the connection's lock; must not keep the buffer. */
    public interface Output {
        void send(ByteBuffer datagram, InetSocketAddress target);
    }

    public enum State { CONNECTING, CONNECTED, CLOSED }

    public enum Role { CLIENT, SERVER, RENDEZVOUS }

    static final long SYN_NANOS = 10_000_000L;
    static final int SYN_MICROS = 10_000;
    static final long HANDSHAKE_RETRY_NANOS = 250_000_000L;
    static final int LIGHT_ACK_PACKETS = 64;
    static final int MIN_EXP_MICROS = 300_000;
    static final long PEER_DEAD_NANOS = 5_000_000_000L;
    static final int MAX_EXP_COUNT = 16;
    /**
     * Nothing at all heard from the peer for this long, through at least {@link #MIN_EXP_COUNT_FOR_SILENCE} expiries
     * (each one a keep-alive or a resend it would answer), and it is dead. 4.11 alone takes ~45 s: its rule above
     * restarts the clock at every expiry while the expiry period grows. An idle 4.11 or Parcel peer sends a
     * keep-alive at every expiry of its own (at most a few seconds apart), so this only fires on a dead peer or path.
     */
    static final long PEER_SILENCE_LIMIT_NANOS = 15_000_000_000L;
    static final int MIN_EXP_COUNT_FOR_SILENCE = 8;
    /**
     * Copies of the closing packet (see {@link #close}). At 10 % loss all of three are lost once in a thousand
     * closes, and the peer then reports a dead peer 15 s later instead of the end (seen in a test through a lossy
     * relay); all of five, once in 100,000. They are 20 bytes each.
     */
    static final int SHUTDOWN_COPIES = 5;
    /** The least unsent data a stream send buffer takes (see {@link #unsentRoom()}): 1.5 MB at MSS 1500. */
    static final int MIN_UNSENT_PACKETS = 1024;
    static final long MIN_NAK_INTERVAL_NANOS = 20_000_000L;
    /** 4.11's RTT before the first measurement (10 SYN), with half of it as the variance; its ACKs carry it. */
    static final int INITIAL_RTT_MICROS = 100_000;
    /** The longest a 4.11 receiver waits before it repeats a loss report (its minimum NAK interval). */
    static final long PEER_NAK_REPEAT_NANOS = 300_000_000L;
    /**
     * How far behind schedule the pacer may fall before it stops catching up (bounds bursts after stalls). 1 ms
     * forgave most of a sender thread's scheduling delays on a busy 2-core machine (several ms at load 5-9), which
     * cost 10-20 % of the paced rate at 100 Mbit/s; 4 ms is still a burst of ~35 packets there.
     */
    static final long MAX_PACING_DEBT_NANOS = 4_000_000L;

    private final ConnectionConfig config;
    private final int localSocketId;
    private final InetSocketAddress peer;
    private final Output output;
    private final Role role;
    private final ByteBuffer control;
    private final long startNanos;
    private final ConnectionStats stats = new ConnectionStats();

    private State state = State.CONNECTING;
    private String failure;
    private boolean rejected;
    private boolean timedOut;

    // handshake
    private final int initialSequence;
    private int requestType;
    private int cookie;
    private long nextHandshakeNanos;
    private final long connectDeadlineNanos;
    private boolean rendezvousPeerSeen;
    private int peerInitialSequence;
    private int peerMss;
    private int peerWindow;

    // negotiated
    private int peerSocketId;
    private int mss;
    private int payloadSize;

    // sending
    private SendBuffer sendBuffer;
    private int nextSequence;
    private int lastAck;
    private int flowWindow;
    private int messageNumber = 1;
    private CongestionControl congestionControl;
    private long nextSendNanos;
    /** The packet sent last was the first of a probe pair, sent without a pacing gap after it. */
    private boolean probePartnerNext;
    private int rtt = INITIAL_RTT_MICROS;
    private int rttVariance = INITIAL_RTT_MICROS / 2;
    /** Whether {@link #rtt} holds a measurement yet, or still 4.11's initial guess (see {@link #measuredRtt}). */
    private boolean rttMeasured;
    private int receiveRate = 16;
    private int bandwidth = 1;

    // receiving
    private ReceiveBuffer receiveBuffer;
    private int largestReceived;
    private int lastAckSent;
    private int lastAckAcknowledged;
    private int ackSequence;
    private long lastFullAckNanos;
    private long nextAckNanos;
    /**
     * When the loss list was last due for a repeat: the next repeat is an NAK interval later, at the interval the
     * RTT gives now. Fixed when the last one went out, the first repeat came 310 ms after the handshake (4.11's
     * initial 100 ms RTT and 50 ms variance), and retransmissions lost in STARTUP's overflow waited that long.
     */
    private long lastNakDueNanos;
    private int packetsSinceAck;
    private final AckWindow ackWindow = new AckWindow();
    private final PacketTimeWindow timeWindow = new PacketTimeWindow();

    // message mode (SOCK_DGRAM) only; null in stream mode
    private MessageSendQueue messages;
    private MessageAssembly assembly;
    private byte[] messageScratch;
    private long dropRequestsSent;

    // expiry
    private int expCount = 1;
    private long lastResponseNanos;
    /** When the peer was last heard from; unlike {@link #lastResponseNanos}, an expiry does not move it. */
    private long lastHeardNanos;

    // closing
    private boolean outputShutdown;
    private int finSequence;
    private boolean finAcknowledged;
    private long nextFinNanos;
    private boolean peerFinReceived;
    private int peerFinSequence;
    private boolean peerShutdown;

    private UdtConnection(ConnectionConfig config, int localSocketId, InetSocketAddress peer, Output output,
            Role role, int initialSequence, long nowNanos) {
        this.config = requireNonNull(config, "config is null");
        this.localSocketId = localSocketId;
        this.peer = requireNonNull(peer, "peer is null");
        this.output = requireNonNull(output, "output is null");
        this.role = requireNonNull(role, "role is null");
        this.initialSequence = initialSequence & SeqNo.MAX;
        this.startNanos = nowNanos;
        this.connectDeadlineNanos = nowNanos + config.connectTimeoutNanos();
        this.control = ByteBuffer.allocate(Math.max(config.mss(), Handshake.PACKET_LENGTH));
        if (localSocketId <= 0) {
            throw new IllegalArgumentException("socket ids are positive: " + localSocketId);
        }
    }

    /** A client connection; sends its first request (type 1) at once. */
    public static UdtConnection client(ConnectionConfig config, int localSocketId, InetSocketAddress peer,
            Output output, int initialSequence, long nowNanos) {
        UdtConnection connection = new UdtConnection(config, localSocketId, peer, output, Role.CLIENT,
                initialSequence, nowNanos);
        connection.requestType = Handshake.REQUEST_CONNECT;
        connection.sendRequest(nowNanos);
        return connection;
    }

    /** A rendezvous connection; sends its first request (type 0) at once. */
    public static UdtConnection rendezvous(ConnectionConfig config, int localSocketId, InetSocketAddress peer,
            Output output, int initialSequence, long nowNanos) {
        UdtConnection connection = new UdtConnection(config, localSocketId, peer, output, Role.RENDEZVOUS,
                initialSequence, nowNanos);
        connection.requestType = Handshake.REQUEST_RENDEZVOUS;
        connection.sendRequest(nowNanos);
        return connection;
    }

    /**
     * The server side of a connection a listener accepted from {@code request} (a valid type -1 handshake): it
     * adopts the client's ISN, the smaller MSS and the client's window and is connected at once; the caller sends
     * the response with {@link #sendResponse}.
     */
    public static UdtConnection accepted(ConnectionConfig config, int localSocketId, InetSocketAddress peer,
            Output output, ByteBuffer request, long nowNanos) {
        UdtConnection connection = new UdtConnection(config, localSocketId, peer, output, Role.SERVER,
                Handshake.initialSequence(request), nowNanos);
        connection.peerSocketId = Handshake.socketId(request);
        connection.peerInitialSequence = connection.initialSequence;
        connection.peerMss = Handshake.mss(request);
        connection.peerWindow = Handshake.flowWindow(request);
        connection.establish(nowNanos);
        return connection;
    }

    // ------------------------------------------------------------------------------------------ queries

    public State state() {
        return state;
    }

    public Role role() {
        return role;
    }

    public int localSocketId() {
        return localSocketId;
    }

    public int peerSocketId() {
        return peerSocketId;
    }

    public InetSocketAddress peer() {
        return peer;
    }

    public int initialSequence() {
        return initialSequence;
    }

    public int mss() {
        return mss;
    }

    public ConnectionStats stats() {
        return stats;
    }

    /** Why the connection failed or ended abnormally, or null. */
    public String failure() {
        return failure;
    }

    public boolean isRejected() {
        return rejected;
    }

    public boolean isConnectTimedOut() {
        return timedOut;
    }

    public boolean isBroken() {
        return failure != null;
    }

    public boolean isPeerShutdown() {
        return peerShutdown;
    }

    public int rttMicros() {
        return rtt;
    }

    public int rttVarianceMicros() {
        return rttVariance;
    }

    public int receiveRate() {
        return receiveRate;
    }

    public int bandwidth() {
        return bandwidth;
    }

    public double periodMicros() {
        return effectivePeriodMicros();
    }

    public double congestionWindow() {
        return congestionControl == null ? 0 : congestionControl.windowPackets();
    }

    /** The congestion control's own description of its state, for diagnostics. */
    public String congestionControlState() {
        return String.valueOf(congestionControl);
    }

    public int flowWindow() {
        return flowWindow;
    }

    /** Packets sent and not yet acknowledged. */
    public int inFlight() {
        return sendBuffer == null ? 0 : SeqNo.offset(lastAck, nextSequence);
    }

    // ------------------------------------------------------------------------------------------ application side

    /**
     * Takes bytes for sending.
     *
     * @return how many were taken; 0 when the send buffer is full
     * @throws IllegalStateException when not connected, output is shut down, or the connection failed
     */
    public int write(byte[] source, int offset, int length) {
        if (outputShutdown) {
            throw new IllegalStateException("output is shut down");
        }
        if (failure != null || peerShutdown || state == State.CLOSED) {
            throw new IllegalStateException(failure != null ? failure : "connection closed by peer");
        }
        if (state != State.CONNECTED) {
            return 0;
        }
        int room = unsentRoom();
        if (room <= 0) {
            return 0;
        }
        int word = DataPacket.messageWord(DataPacket.BOUNDARY_SOLO, false, messageNumber);
        int taken = sendBuffer.append(source, offset, (int) Math.min(length, (long) room * payloadSize), nextSequence,
                word, true);
        if (taken > 0) {
            messageNumber = MsgNo.increment(messageNumber);
        }
        return taken;
    }

    /**
     * Gives the buffers' memory back to the pool; the connection holds no data from now on. Called once its socket
     * is closed or aborted, when nobody reads or writes it any more.
     */
    public void releaseMemory() {
        if (sendBuffer != null) {
            sendBuffer.close();
            receiveBuffer.close();
        }
    }

    /** Whether {@link #write} could take at least one byte now. */
    public boolean isWritable() {
        return state == State.CONNECTED && sendBuffer.size() < sendBuffer.capacity() && unsentRoom() > 0;
    }

    /**
     * Packets the application may still queue beyond those sent: twice the congestion window, at least
     * {@value #MIN_UNSENT_PACKETS}. The sender never takes more than a window at once, so more unsent data only
     * holds packet memory, and the pool is shared: a relay whose upstream is fast (serve reading nginx over
     * loopback) filled 8 send buffers with up to 48 MB of unsent data each, the pool's budget ran out, and a
     * connection whose buffer had drained could take only one 64-packet chunk per round trip (measured: the
     * fastest of 8 flows at 100 Mbit/s, RTT 50 ms fell from ~5,000 to ~1,000 packets/s for seconds).
     */
    private int unsentRoom() {
        int unsent = SeqNo.offset(nextSequence, sendBuffer.endSequence());
        int limit = (int) Math.min(Integer.MAX_VALUE / 2,
                Math.max(MIN_UNSENT_PACKETS, 2 * congestionControl.windowPackets()));
        return limit - unsent;
    }

    /** Everything written has been acknowledged by the peer. */
    public boolean isSendBufferEmpty() {
        return sendBuffer == null || sendBuffer.isEmpty();
    }

    /**
     * Reads received bytes.
     *
     * @return bytes read, 0 when none are there yet, -1 at the end of the stream (the peer half-closed or closed
     *         and everything before was read)
     * @throws IllegalStateException when the connection failed and nothing more is readable
     */
    public int read(byte[] target, int offset, int length) {
        if (receiveBuffer != null && receiveBuffer.hasReadable()) {
            if (peerFinReceived) {
                int remaining = SeqNo.offset(receiveBuffer.startSequence(), peerFinSequence);
                if (remaining <= 0) {
                    return -1;
                }
            }
            return receiveBuffer.read(target, offset, length);
        }
        if (isEndOfStream()) {
            return -1;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        if (state == State.CLOSED) {
            return -1;
        }
        return 0;
    }

    private boolean isEndOfStream() {
        if (peerFinReceived && receiveBuffer != null && receiveBuffer.startSequence() == peerFinSequence) {
            return true;
        }
        return peerShutdown;
    }

    /** Bytes {@link #read} can return now without waiting (a lower bound; 0 at end of stream). */
    public int available() {
        if (receiveBuffer == null || !receiveBuffer.hasReadable()) {
            return 0;
        }
        if (peerFinReceived && SeqNo.offset(receiveBuffer.startSequence(), peerFinSequence) <= 0) {
            return 0;
        }
        return 1;
    }

    /**
     * Whether {@link #read} (in message mode {@link #receiveMessage}) would return without waiting (data, end of
     * stream, or failure).
     */
    public boolean isReadable() {
        if (assembly != null) {
            return assembly.nextLength(largestReceived) >= 0 || peerShutdown || failure != null
                    || state == State.CLOSED;
        }
        return (receiveBuffer != null && receiveBuffer.hasReadable()) || isEndOfStream() || failure != null
                || state == State.CLOSED;
    }

    // ------------------------------------------------------------------------------------------ message mode

    /** Whether this connection was set up as SOCK_DGRAM (the handshake's socket type 2). */
    public boolean isMessageMode() {
        return config.socketType() == Handshake.SOCKET_TYPE_DATAGRAM;
    }

    /**
     * The largest message {@link #sendMessage} takes: the send buffer, and (unlike 4.11, which would stall) no more
     * than the peer's receive buffer can hold at once (its advertised window less one packet, as 4.11 counts free
     * space); 0 before the connection is set up.
     */
    public int maxMessageSize() {
        if (sendBuffer == null) {
            return 0;
        }
        int packets = sendBuffer.capacity();
        if (peerWindow > 1) {
            packets = Math.min(packets, peerWindow - 1);
        }
        return (int) Math.min(Integer.MAX_VALUE, (long) packets * payloadSize);
    }

    /**
     * Takes one whole message (from {@code message}'s position to its limit, which advances only when it is
     * taken): split into packets whose boundary bits mark first / middle / last (solo for one packet), all with
     * the same message number and in-order flag. A message older than {@code ttlNanos} (negative: forever) when
     * one of its packets is due for retransmission is dropped and the peer told so (control type 7), as 4.11.
     *
     * @return true when taken (an empty message is taken and sends nothing, as 4.11), false when the send buffer
     *         has no room for all of it yet
     * @throws IllegalStateException when not in message mode, the connection failed or the peer closed
     * @throws IllegalArgumentException when the message exceeds {@link #maxMessageSize}
     */
    public boolean sendMessage(ByteBuffer message, long ttlNanos, boolean inOrder, long nowNanos) {
        if (!isMessageMode()) {
            throw new IllegalStateException("not a message-mode (SOCK_DGRAM) connection");
        }
        if (failure != null || peerShutdown || state == State.CLOSED) {
            throw new IllegalStateException(failure != null ? failure : "connection closed by peer");
        }
        if (state != State.CONNECTED) {
            return false;
        }
        int length = message.remaining();
        if (length > maxMessageSize()) {
            throw new IllegalArgumentException("message of " + length + " bytes exceeds the limit of "
                    + maxMessageSize() + " bytes");
        }
        if (length == 0) {
            return true;
        }
        int packets = (length + payloadSize - 1) / payloadSize;
        if (!sendBuffer.reserve(packets)) {
            return false;
        }
        int first = sendBuffer.endSequence();
        for (int i = 0; i < packets; i++) {
            int n = Math.min(payloadSize, message.remaining());
            message.get(messageScratch, 0, n);
            int boundary = packets == 1 ? DataPacket.BOUNDARY_SOLO
                    : i == 0 ? DataPacket.BOUNDARY_FIRST
                    : i == packets - 1 ? DataPacket.BOUNDARY_LAST : DataPacket.BOUNDARY_MIDDLE;
            sendBuffer.append(messageScratch, 0, n, nextSequence,
                    DataPacket.messageWord(boundary, inOrder, messageNumber), false);
        }
        messages.add(messageNumber, first, packets, nowNanos, ttlNanos < 0 ? MessageSendQueue.FOREVER : ttlNanos);
        messageNumber = MsgNo.increment(messageNumber);
        return true;
    }

    /**
     * The length of the whole message {@link #receiveMessage} would return now, or -1 when none is ready.
     *
     * @throws IllegalStateException when not in message mode
     */
    public int nextMessageLength() {
        if (assembly == null) {
            if (!isMessageMode()) {
                throw new IllegalStateException("not a message-mode (SOCK_DGRAM) connection");
            }
            return -1;
        }
        return assembly.nextLength(largestReceived);
    }

    /**
     * Copies the next whole message into {@code target} (which must have room for {@link #nextMessageLength}).
     *
     * @return its length; 0 when none is ready yet; -1 when none will come (the peer closed and every whole
     *         message was received)
     * @throws IllegalStateException when the connection failed and no whole message is left
     */
    public int receiveMessage(ByteBuffer target) {
        if (nextMessageLength() >= 0) {
            return assembly.read(target, largestReceived);
        }
        if (peerShutdown || (state == State.CLOSED && failure == null)) {
            return -1;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        return 0;
    }

    /** Message-mode counters, for tests and diagnostics. */
    public String messageStats() {
        if (assembly == null) {
            return "no message mode";
        }
        return "messagesQueued=" + messages.size() + " dropRequestsSent=" + dropRequestsSent + " delivered="
                + assembly.delivered() + " deliveredEarly=" + assembly.deliveredEarly() + " discardedPackets="
                + assembly.discardedPackets() + " dropRequestsReceived=" + assembly.dropRequests();
    }

    public long dropRequestsSent() {
        return dropRequestsSent;
    }

    /**
     * A lost packet is due for retransmission: if its message expired (or was dropped before), tell the peer to
     * drop the message's unacknowledged packets instead, forget their loss marks, and skip what of it was never
     * sent. 4.11 sends {@code [lost, lost + rest]}, one past the message's end; we send the exact last packet.
     */
    private boolean dropIfExpired(int sequence, long nowNanos) {
        int index = messages.find(sequence);
        if (index < 0 || !messages.isExpired(index, nowNanos)) {
            return false;
        }
        messages.markDropped(index);
        int first = messages.firstSequence(index);
        if (SeqNo.compare(first, lastAck) < 0) {
            first = lastAck;
        }
        int last = messages.lastSequence(index);
        sendBuffer.clearLost(first, last);
        if (SeqNo.compare(nextSequence, last) <= 0) {
            nextSequence = SeqNo.increment(last);
        }
        DropRequest.write(control, messages.messageNumber(index), first, last, peerSocketId);
        output.send(control, peer);
        dropRequestsSent++;
        return true;
    }

    private void onDropRequest(ByteBuffer packet, int body) {
        if (assembly == null || body < DropRequest.BODY_LENGTH) {
            stats.dropped++; // stream mode never drops messages
            return;
        }
        int first = DropRequest.firstSequence(packet) & SeqNo.MAX;
        int last = DropRequest.lastSequence(packet) & SeqNo.MAX;
        if (SeqNo.compare(first, last) > 0 || SeqNo.length(first, last) > receiveBuffer.capacity()) {
            stats.dropped++;
            return;
        }
        assembly.drop(DropRequest.messageNumber(packet), first, last, largestReceived);
        // as 4.11: a range that starts at or before the next expected packet moves the largest received number
        // on; a hole before the range is reported at once like any other gap
        int limit = SeqNo.add(receiveBuffer.startSequence(), receiveBuffer.capacity() - 1);
        int end = SeqNo.compare(last, limit) > 0 ? limit : last;
        if (SeqNo.compare(end, largestReceived) > 0 && SeqNo.compare(first, limit) <= 0) {
            int expected = SeqNo.increment(largestReceived);
            if (SeqNo.compare(first, expected) > 0) {
                LossReport.begin(control, peerSocketId);
                LossReport.append(control, expected, SeqNo.decrement(first));
                LossReport.end(control);
                output.send(control, peer);
                stats.naksSent++;
            }
            largestReceived = end;
        }
    }

    /** Half-close: no more writes; the peer reads to the end of what was written and then sees end of stream. */
    public void shutdownOutput(long nowNanos) {
        if (outputShutdown || state != State.CONNECTED) {
            outputShutdown = true;
            return;
        }
        outputShutdown = true;
        finSequence = sendBuffer.endSequence();
        sendFin(nowNanos);
    }

    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    /**
     * Closes at once: tells a connected peer and stops all activity. 4.11 sends one shutdown packet and nothing
     * answers it, so when that packet is lost the peer only learns from the silence (seconds later) and reports a
     * dead peer instead of an end of stream. We send it {@value #SHUTDOWN_COPIES} times; a peer that already closed
     * drops the copies as packets for an unknown socket.
     *
     * <p>With data still unacknowledged (the linger ran out) a shutdown would read as a clean end after whatever
     * arrived, so the peer would take a truncated stream for a whole one; it gets an error signal (type 8, code
     * {@link ControlPacket#ERROR_UNACKNOWLEDGED_CLOSE}) instead, and no shutdown, which could overtake it. A Parcel
     * peer fails its reads once it has handed out what arrived (a stream whose half-close it saw ends cleanly all
     * the same); a 4.11 peer ignores the code and finds the connection broken from the silence.
     */
    public void close(long nowNanos) {
        if (state == State.CONNECTED && !peerShutdown && failure == null) {
            // A receiver that closes as soon as it read the last message (message mode knows when it is done) would
            // otherwise leave the sender without the ACK of the last packets: a 4.11 sender then still holds them
            // when the shutdown arrives and reports its connection broken instead of its data delivered.
            sendFullAck(nowNanos, true);
            boolean undelivered = !sendBuffer.isEmpty();
            for (int i = 0; i < SHUTDOWN_COPIES; i++) {
                if (undelivered) {
                    sendPadded(ControlPacket.TYPE_ERROR, ControlPacket.ERROR_UNACKNOWLEDGED_CLOSE);
                } else {
                    sendPadded(ControlPacket.TYPE_SHUTDOWN, 0);
                }
            }
        }
        state = State.CLOSED;
    }

    /** Marks the connection failed (e.g. the socket was closed under a blocked caller). */
    public void fail(String reason) {
        if (failure == null) {
            failure = reason;
        }
        state = State.CLOSED;
    }

    // ------------------------------------------------------------------------------------------ network side

    /**
     * An arriving datagram whose destination id and source address the caller already matched to this
     * connection (or, while connecting, to its peer address). Malformed packets are counted and dropped.
     */
    public void receive(ByteBuffer packet, long nowNanos) {
        if (state == State.CLOSED) {
            return;
        }
        if (packet.limit() < Packet.HEADER_LENGTH) {
            stats.dropped++;
            return;
        }
        if (Packet.isControl(packet)) {
            int type = ControlPacket.type(packet);
            if (type == ControlPacket.TYPE_HANDSHAKE) {
                onHandshake(packet, nowNanos);
                return;
            }
            if (state == State.CONNECTING) {
                if (role == Role.RENDEZVOUS && rendezvousPeerSeen && type == ControlPacket.TYPE_KEEP_ALIVE) {
                    establish(nowNanos);
                } else {
                    stats.dropped++;
                }
                return;
            }
            resetExpiry(nowNanos);
            onControl(type, packet, nowNanos);
        } else {
            if (state == State.CONNECTING) {
                if (role == Role.RENDEZVOUS && rendezvousPeerSeen) {
                    establish(nowNanos);
                } else {
                    stats.dropped++;
                    return;
                }
            }
            resetExpiry(nowNanos);
            onData(packet, nowNanos);
        }
    }

    /** Runs the timers: handshake retries and connect timeout, ACK, periodic NAK, EXP, half-close retries. */
    public void tick(long nowNanos) {
        if (state == State.CONNECTING) {
            if (nowNanos - connectDeadlineNanos >= 0) {
                timedOut = true;
                fail("connection setup timed out");
            } else if (nowNanos - nextHandshakeNanos >= 0) {
                sendRequest(nowNanos);
            }
            return;
        }
        if (state != State.CONNECTED) {
            return;
        }
        if (nowNanos - nextAckNanos >= 0) {
            sendFullAck(nowNanos, false);
            nextAckNanos = nowNanos + SYN_NANOS;
            packetsSinceAck = 0;
        }
        if (nowNanos - nextNakNanos() >= 0) {
            if (SeqNo.compare(receiveBuffer.firstMissing(), largestReceived) <= 0) {
                sendLossReport();
            }
            lastNakDueNanos = nowNanos;
        }
        if (outputShutdown && !finAcknowledged && nowNanos - nextFinNanos >= 0) {
            sendFin(nowNanos);
        }
        checkStalledHole(nowNanos);
        checkExpiry(nowNanos);
    }

    /**
     * A 4.11 receiver reports a gap once; if that NAK is lost, only the EXP timer (at least 300 ms, then a resend
     * of everything unacknowledged) repairs it. So when the ACK point has stayed on a packet that later packets
     * overtook and that was last sent more than RTT + 4·RTTVar + 2·SYN ago, we resend just that packet.
     */
    private void checkStalledHole(long nowNanos) {
        if (nextSequence == lastAck || !sendBuffer.contains(lastAck)) {
            return;
        }
        long threshold = ((long) rtt + 4L * rttVariance + 2L * SYN_MICROS) * 1000L;
        checkLostFlight(nowNanos, threshold);
        if (SeqNo.offset(lastAck, nextSequence) < 2 || sendBuffer.isLost(lastAck)) {
            return;
        }
        if (nowNanos - sendBuffer.sendTime(lastAck) > threshold
                && nowNanos - sendBuffer.sendTime(SeqNo.increment(lastAck)) > threshold / 2) {
            sendBuffer.markLost(lastAck, lastAck, nextSequence);
            stats.earlyRetransmits++;
        }
    }

    /**
     * A blackout (a route change, a relay or NAT restart, an outage of a few hundred milliseconds) loses the
     * whole flight: no later packet reaches the receiver, so it reports no hole, and its ACKs, which keep coming,
     * hold the EXP timer off. The one-packet resend of {@link #checkStalledHole} then repaired a flight of
     * thousands one packet per RTT + 4·RTTVar + 2·SYN (a 300 ms outage at loopback speed stalled for over 20 s).
     * So when the receiver is heard from, but the packet at its ACK point left two of the slowest receiver's NAK
     * periods ago and no loss report came meanwhile (a receiver holding later packets repeats its report), it holds
     * nothing beyond the ACK point, and every packet sent before then is resent, up to its window. (The ACK point
     * itself may creep, one packet per resend above.)
     */
    private void checkLostFlight(long nowNanos, long threshold) {
        long quiet = Math.max(threshold, 2 * PEER_NAK_REPEAT_NANOS + rtt * 1000L);
        if (nowNanos - sendBuffer.sendTime(lastAck) <= quiet || nowNanos - lossReportNanos <= quiet
                || nowNanos - lastHeardNanos > threshold) {
            return;
        }
        int marked = sendBuffer.markSentBefore(lastAck, nextSequence, Math.max(2, flowWindow), nowNanos - quiet);
        stats.earlyRetransmits += marked;
    }

    /** When {@link #tick} next has something to do. */
    public long nextTimerNanos() {
        if (state == State.CONNECTING) {
            return Math.min(nextHandshakeNanos, connectDeadlineNanos);
        }
        if (state != State.CONNECTED) {
            return Long.MAX_VALUE;
        }
        long next = Math.min(nextAckNanos, nextNakNanos());
        next = Math.min(next, lastResponseNanos + expiryIntervalMicros() * 1000L);
        if (outputShutdown && !finAcknowledged) {
            next = Math.min(next, nextFinNanos);
        }
        return next;
    }

    /** When the next data packet may leave, or {@link Long#MAX_VALUE} when there is nothing it could send. */
    public long nextDataNanos() {
        if (state != State.CONNECTED || failure != null || peerShutdown) {
            return Long.MAX_VALUE;
        }
        if (sendBuffer.lostCount() > 0 || (nextSequence != sendBuffer.endSequence() && windowAllowsNew())) {
            return nextSendNanos;
        }
        return Long.MAX_VALUE;
    }

    private boolean windowAllowsNew() {
        int window = (int) Math.min(flowWindow, congestionControl.windowPackets());
        return SeqNo.length(lastAck, nextSequence) <= Math.max(window, 2);
    }

    /**
     * Writes the next data packet into {@code out} (from index 0; position 0, limit its length) if one is due.
     *
     * @return its length, or 0 when nothing is due
     */
    public int pollData(ByteBuffer out, long nowNanos) {
        if (state != State.CONNECTED || failure != null || peerShutdown || nowNanos - nextSendNanos < 0) {
            return 0;
        }
        int sequence = sendBuffer.pollLost();
        if (messages != null) {
            while (sequence >= 0 && dropIfExpired(sequence, nowNanos)) {
                sequence = sendBuffer.pollLost();
            }
        }
        boolean retransmission = sequence >= 0;
        if (!retransmission) {
            if (nextSequence == sendBuffer.endSequence() || !windowAllowsNew()) {
                // due to send but held back by the application, the flow window or the congestion window
                congestionControl.onSendLimited(nowNanos);
                return 0;
            }
            sequence = nextSequence;
            nextSequence = SeqNo.increment(nextSequence);
        }
        sendBuffer.setSendTime(sequence, nowNanos, retransmission);
        out.clear();
        DataPacket.writeHeader(out, sequence, sendBuffer.messageWord(sequence), timestamp(nowNanos), peerSocketId);
        out.position(Packet.HEADER_LENGTH);
        sendBuffer.copyPayload(sequence, out);
        out.flip();
        congestionControl.onPacketSent(sequence, retransmission, nowNanos);
        if (retransmission) {
            stats.retransmitted++;
        }
        stats.dataSent++;
        if (!retransmission && (sequence & 0xF) == 0) {
            // the first of a probe pair: its partner leaves right behind it so the receiver can time the gap
            probePartnerNext = true;
            return out.limit();
        }
        // the pair took one gap for two packets; the gap after it is double, or every 16 packets one would leave
        // unpaced and the flow ran 6 % above its pacing rate (as 4.11's does): on a 100 Mbit/s path that kept the
        // bottleneck queue full and overflowing wherever the rate estimate was right
        long period = (long) (effectivePeriodMicros() * 1000.0) * (probePartnerNext ? 2 : 1);
        probePartnerNext = false;
        nextSendNanos = Math.max(nextSendNanos + period, nowNanos - MAX_PACING_DEBT_NANOS);
        return out.limit();
    }

    /** Sends the handshake response of an accepted connection (again, for a repeated request). */
    public void sendResponse(int cookieValue) {
        Handshake.write(control, peerSocketId, Handshake.VERSION, config.socketType(), initialSequence, mss,
                config.advertisedWindow(), Handshake.REQUEST_RESPONSE, localSocketId, cookieValue, peer.getAddress());
        output.send(control, peer);
    }

    // ------------------------------------------------------------------------------------------ handshake

    private void sendRequest(long nowNanos) {
        int destination = role == Role.RENDEZVOUS && requestType == Handshake.REQUEST_RESPONSE ? peerSocketId : 0;
        Handshake.write(control, destination, Handshake.VERSION, config.socketType(), initialSequence, config.mss(),
                config.advertisedWindow(), requestType, localSocketId, cookie, peer.getAddress());
        output.send(control, peer);
        nextHandshakeNanos = nowNanos + HANDSHAKE_RETRY_NANOS;
    }

    private void onHandshake(ByteBuffer packet, long nowNanos) {
        if (Packet.bodyLength(packet) < Handshake.BODY_LENGTH) {
            stats.dropped++;
            return;
        }
        int type = Handshake.requestType(packet);
        if (state == State.CONNECTED) {
            resetExpiry(nowNanos);
            if (role == Role.RENDEZVOUS ? type != Handshake.REQUEST_RENDEZVOUS_FINAL : type > 0) {
                replyConnected(role == Role.RENDEZVOUS
                        ? Handshake.REQUEST_RENDEZVOUS_FINAL : Handshake.REQUEST_RESPONSE);
            }
            return;
        }
        if (state != State.CONNECTING) {
            return;
        }
        if (type == Handshake.REQUEST_REJECTED) {
            rejected = true;
            fail("connection rejected by peer (UDT version or socket type differs, or backlog full)");
            return;
        }
        if (role == Role.CLIENT) {
            if (type == Handshake.REQUEST_CONNECT && requestType == Handshake.REQUEST_CONNECT) {
                cookie = Handshake.cookie(packet);
                requestType = Handshake.REQUEST_RESPONSE;
                sendRequest(nowNanos);
            } else if (type == Handshake.REQUEST_RESPONSE) {
                if ((Handshake.initialSequence(packet) & SeqNo.MAX) != initialSequence
                        || Handshake.socketId(packet) <= 0) {
                    stats.dropped++;
                    return;
                }
                peerSocketId = Handshake.socketId(packet);
                peerInitialSequence = initialSequence;
                peerMss = Handshake.mss(packet);
                peerWindow = Handshake.flowWindow(packet);
                establish(nowNanos);
            } else {
                stats.dropped++;
            }
            return;
        }
        if (role == Role.RENDEZVOUS) {
            if (type == Handshake.REQUEST_CONNECT || Handshake.socketId(packet) <= 0) {
                stats.dropped++;
                return;
            }
            peerSocketId = Handshake.socketId(packet);
            peerInitialSequence = Handshake.initialSequence(packet) & SeqNo.MAX;
            peerMss = Handshake.mss(packet);
            peerWindow = Handshake.flowWindow(packet);
            rendezvousPeerSeen = true;
            if (type == Handshake.REQUEST_RENDEZVOUS) {
                requestType = Handshake.REQUEST_RESPONSE;
                sendRequest(nowNanos);
            } else {
                establish(nowNanos);
                // the peer may still wait for our -1; a final -2 ends its wait as well
                replyConnected(Handshake.REQUEST_RENDEZVOUS_FINAL);
            }
        }
    }

    /** 4.11's reply from a connected socket: ISN, MSS, window, type and id set; version, type, cookie zero. */
    private void replyConnected(int type) {
        Handshake.write(control, peerSocketId, 0, 0, initialSequence, mss, config.advertisedWindow(), type,
                localSocketId, 0, null);
        output.send(control, peer);
    }

    private void establish(long nowNanos) {
        mss = Math.max(76, Math.min(config.mss(), peerMss > 0 ? peerMss : config.mss()));
        payloadSize = mss - ConnectionConfig.OVERHEAD;
        sendBuffer = new SendBuffer(config.payloadPool(), config.sendBufferPackets(), payloadSize, initialSequence);
        receiveBuffer = new ReceiveBuffer(config.payloadPool(), config.receiveBufferPackets(), payloadSize,
                peerInitialSequence);
        nextSequence = initialSequence;
        lastAck = initialSequence;
        flowWindow = peerWindow > 0 ? Math.min(peerWindow, config.flowControlPackets()) : 2;
        largestReceived = SeqNo.decrement(peerInitialSequence);
        lastAckSent = peerInitialSequence;
        lastAckAcknowledged = peerInitialSequence;
        lastFullAckNanos = nowNanos;
        nextAckNanos = nowNanos + SYN_NANOS;
        lastNakDueNanos = nowNanos;
        lastResponseNanos = nowNanos;
        lastHeardNanos = nowNanos;
        lossReportNanos = nowNanos;
        nextSendNanos = nowNanos;
        expCount = 1;
        if (config.socketType() == Handshake.SOCKET_TYPE_DATAGRAM) {
            messages = new MessageSendQueue(sendBuffer.capacity());
            assembly = new MessageAssembly(receiveBuffer);
            messageScratch = new byte[payloadSize];
        }
        int maxWindow = flowWindow;
        congestionControl = requireNonNull(config.congestionControl().get(), "congestion control is null");
        congestionControl.init(new CongestionContext() {
            @Override
            public int rttMicros() {
                return rtt;
            }

            @Override
            public int rttVarianceMicros() {
                return rttVariance;
            }

            @Override
            public int receiveRate() {
                return receiveRate;
            }

            @Override
            public int bandwidth() {
                return bandwidth;
            }

            @Override
            public int lastSentSequence() {
                return SeqNo.decrement(nextSequence);
            }

            @Override
            public int maxWindow() {
                return maxWindow;
            }

            @Override
            public int mss() {
                return mss;
            }
        }, initialSequence, nowNanos);
        state = State.CONNECTED;
    }

    // ------------------------------------------------------------------------------------------ control

    private void onControl(int type, ByteBuffer packet, long nowNanos) {
        int body = Packet.bodyLength(packet);
        switch (type) {
            case ControlPacket.TYPE_KEEP_ALIVE -> {
                // its arrival already reset the expiry timer
            }
            case ControlPacket.TYPE_ACK -> {
                if (body >= Ack.SHORT_BODY_LENGTH) {
                    onFullAck(packet, body, nowNanos);
                } else if (body >= Ack.LIGHT_BODY_LENGTH) {
                    onLightAck(Ack.ackNumber(packet));
                } else {
                    stats.dropped++;
                }
            }
            case ControlPacket.TYPE_NAK -> onLossReport(packet, nowNanos);
            case ControlPacket.TYPE_CONGESTION_WARNING -> congestionControl.onCongestionWarning(nowNanos);
            case ControlPacket.TYPE_SHUTDOWN -> peerShutdown = true;
            case ControlPacket.TYPE_ACK2 -> onAck2(ControlPacket.additionalInfo(packet), nowNanos);
            case ControlPacket.TYPE_DROP_REQUEST -> onDropRequest(packet, body);
            case ControlPacket.TYPE_ERROR -> fail(peerError(ControlPacket.additionalInfo(packet)));
            case ControlPacket.TYPE_USER_DEFINED -> onUserDefined(packet, body);
            default -> stats.dropped++;
        }
    }

    private static String peerError(int code) {
        return switch (code) {
            case ControlPacket.ERROR_UNACKNOWLEDGED_CLOSE ->
                    "peer closed before all its data was acknowledged: the data received may be incomplete";
            case ControlPacket.ERROR_FILE -> "peer could not write the data it received (error 4000)";
            default -> "peer signalled error " + code;
        };
    }

    private void onLightAck(int ack) {
        ack &= SeqNo.MAX;
        if (SeqNo.compare(ack, lastAck) <= 0 || SeqNo.compare(ack, nextSequence) > 0) {
            return;
        }
        int acknowledged = SeqNo.offset(lastAck, ack);
        flowWindow = Math.max(0, flowWindow - acknowledged);
        lastAck = ack;
        sendBuffer.acknowledge(ack);
        if (messages != null) {
            messages.acknowledge(ack);
        }
        stats.acksReceived++;
    }

    private void onFullAck(ByteBuffer packet, int body, long nowNanos) {
        int ackSeq = ControlPacket.additionalInfo(packet);
        sendPadded(ControlPacket.TYPE_ACK2, ackSeq);
        int ack = Ack.ackNumber(packet) & SeqNo.MAX;
        if (SeqNo.compare(ack, nextSequence) > 0) {
            fail("peer acknowledged packets never sent (ack " + ack + ", next " + nextSequence + ")");
            return;
        }
        stats.acksReceived++;
        if (SeqNo.compare(ack, lastAck) >= 0) {
            flowWindow = Math.min(Math.max(Ack.availableBuffer(packet), 2), config.flowControlPackets());
        }
        if (SeqNo.compare(ack, lastAck) > 0) {
            lastAck = ack;
        }
        // a light ACK may already have moved lastAck; the buffer is released up to whichever is further
        sendBuffer.acknowledge(lastAck);
        if (messages != null) {
            messages.acknowledge(lastAck);
        }
        int sample = Ack.rtt(packet);
        if (sample > 0 && (rttMeasured || sample != INITIAL_RTT_MICROS)) {
            // the receiver's first ACKs carry its initial guess until an ACK2 came back: not a measurement
            measuredRtt(sample);
        }
        if (body >= Ack.FULL_BODY_LENGTH) {
            int rate = Ack.receiveRate(packet);
            int capacity = Ack.linkCapacity(packet);
            if (rate > 0) {
                receiveRate = (receiveRate * 7 + rate) >> 3;
            }
            if (capacity > 0) {
                bandwidth = (bandwidth * 7 + capacity) >> 3;
            }
            congestionControl.onRateReport(rate, capacity, nowNanos);
        }
        congestionControl.onAck(ack, nowNanos);
    }

    private final LossReport.RangeConsumer lossConsumer = this::onLostRange;
    private boolean lossReportValid;
    private int lossReportFirst;
    private int lossReportCount;
    private long lossReportNanos;

    private void onLossReport(ByteBuffer packet, long nowNanos) {
        lossReportNanos = nowNanos;
        lossReportValid = true;
        lossReportFirst = -1;
        lossReportCount = 0;
        if (!LossReport.decode(packet, lossConsumer)) {
            stats.dropped++;
            return;
        }
        if (!lossReportValid) {
            fail("peer reported loss of packets never sent");
            return;
        }
        stats.naksReceived++;
        congestionControl.onLoss(lossReportFirst, lossReportCount, nowNanos);
    }

    private void onLostRange(int first, int last) {
        int lastSent = SeqNo.decrement(nextSequence);
        if (SeqNo.compare(first, last) > 0 || SeqNo.compare(last, lastSent) > 0) {
            lossReportValid = false;
            return;
        }
        if (lossReportFirst < 0) {
            lossReportFirst = first;
        }
        lossReportCount += SeqNo.length(first, last);
        if (SeqNo.compare(last, lastAck) >= 0) {
            int from = SeqNo.compare(first, lastAck) < 0 ? lastAck : first;
            // The receiver repeats its whole loss list every NAK interval (about an RTT), so most holes are
            // reported again while their retransmission is still on the way; resending on each such report
            // wasted ~1.4 % of a clean 100 Mbit/s link at RTT 50 ms (receiver duplicates, measured). A report
            // that arrives less than an RTT after a packet's retransmission left cannot know that retransmission's
            // fate; a later one still repairs a retransmission that was lost.
            sendBuffer.markLostUnlessResentSince(from, last, nextSequence, lossReportNanos - rtt * 1000L);
            congestionControl.onLostRange(from, last, lossReportNanos);
        }
    }

    private void onAck2(int ackSeq, long nowNanos) {
        long sample = ackWindow.roundTripMicros(ackSeq, nowNanos);
        if (sample < 0) {
            return;
        }
        int acked = ackWindow.ackNumber(ackSeq);
        measuredRtt((int) Math.min(sample, Integer.MAX_VALUE / 8));
        if (SeqNo.compare(acked, lastAckAcknowledged) > 0) {
            lastAckAcknowledged = acked;
        }
    }

    /**
     * 4.11's EWMA (RTT 7/8, variance 3/4), except that the first measurement replaces the initial guess outright,
     * as TCP's first sample does (RFC 6298): smoothed from 100 ms at 1/8 per 10 ms ACK, the estimate still read
     * ~75 ms 150 ms into a flow on a path with no delay. The receiver repeats a loss report only every RTT +
     * 4 RTTVar + SYN and the sender honours a report only an RTT after its last resend, so retransmissions lost
     * in STARTUP's overflowing queue waited ~130 ms for their second repair, the ACK stalled and the probe after
     * STARTUP took no samples (trace at 100 Mbit/s RTT 0). A 4.11 peer smooths from its guess as before; its
     * ACKs then carry values off the guess, and this side takes the first of them as its measurement.
     */
    private void measuredRtt(int sample) {
        if (!rttMeasured) {
            rttMeasured = true;
            rtt = sample;
            rttVariance = sample / 2;
            return;
        }
        rttVariance = (rttVariance * 3 + Math.abs(sample - rtt)) >> 2;
        rtt = (rtt * 7 + sample) >> 3;
    }

    private void onUserDefined(ByteBuffer packet, int body) {
        if (body < HalfClose.BODY_LENGTH) {
            stats.dropped++;
            return;
        }
        int extended = ControlPacket.extendedType(packet);
        if (extended == HalfClose.EXTENDED_TYPE_FIN) {
            int end = HalfClose.endSequence(packet);
            if (!peerFinReceived) {
                peerFinReceived = true;
                peerFinSequence = end;
            }
            HalfClose.write(control, HalfClose.EXTENDED_TYPE_FIN_ACK, end, peerSocketId);
            output.send(control, peer);
        } else if (extended == HalfClose.EXTENDED_TYPE_FIN_ACK) {
            if (outputShutdown && HalfClose.endSequence(packet) == finSequence) {
                finAcknowledged = true;
            }
        } else {
            stats.dropped++;
        }
    }

    private void sendFin(long nowNanos) {
        HalfClose.write(control, HalfClose.EXTENDED_TYPE_FIN, finSequence, peerSocketId);
        output.send(control, peer);
        nextFinNanos = nowNanos + Math.max(2L * (rtt + 4L * rttVariance) * 1000L, SYN_NANOS);
    }

    // ------------------------------------------------------------------------------------------ data

    private void onData(ByteBuffer packet, long nowNanos) {
        int length = Packet.bodyLength(packet);
        if (length <= 0 || length > payloadSize) {
            stats.dropped++;
            return;
        }
        int sequence = DataPacket.sequence(packet);
        timeWindow.onArrival(nowNanos);
        if ((sequence & 0xF) == 0) {
            timeWindow.onProbe1(nowNanos);
        } else if ((sequence & 0xF) == 1) {
            timeWindow.onProbe2(nowNanos);
        }
        if (SeqNo.compare(sequence, receiveBuffer.firstMissing()) < 0 || receiveBuffer.isPresent(sequence)) {
            stats.duplicatesReceived++;
            return;
        }
        packet.position(Packet.HEADER_LENGTH);
        boolean stored = receiveBuffer.insert(sequence, packet);
        packet.position(0);
        if (!stored) {
            stats.dropped++;
            return;
        }
        stats.dataReceived++;
        if (assembly != null) {
            assembly.onData(sequence, DataPacket.messageWord(packet));
        }
        int expected = SeqNo.increment(largestReceived);
        if (SeqNo.compare(sequence, expected) > 0) {
            LossReport.begin(control, peerSocketId);
            LossReport.append(control, expected, SeqNo.decrement(sequence));
            LossReport.end(control);
            output.send(control, peer);
            stats.naksSent++;
        }
        if (SeqNo.compare(sequence, largestReceived) > 0) {
            largestReceived = sequence;
        }
        if (length != payloadSize) {
            sendFullAck(nowNanos, false);
        }
        if (++packetsSinceAck >= LIGHT_ACK_PACKETS) {
            sendLightAck();
            packetsSinceAck = 0;
        }
    }

    private void sendLightAck() {
        int ack = receiveBuffer.firstMissing();
        if (ack == lastAckAcknowledged) {
            return;
        }
        Ack.writeLight(control, ack, peerSocketId);
        output.send(control, peer);
    }

    /** {@code again}: repeat an ACK not yet confirmed by ACK2 without waiting an RTT (on close). */
    private void sendFullAck(long nowNanos, boolean again) {
        int ack = receiveBuffer.firstMissing();
        if (ack == lastAckAcknowledged) {
            return;
        }
        int order = SeqNo.compare(ack, lastAckSent);
        if (order > 0) {
            lastAckSent = ack;
        } else if (order < 0
                || (!again && (nowNanos - lastFullAckNanos) / 1000 < (long) rtt + 4L * rttVariance)) {
            return;
        }
        ackSequence = AckNo.increment(ackSequence);
        boolean withRates = nowNanos - lastFullAckNanos > SYN_NANOS;
        int rate = 0;
        int capacity = 0;
        if (withRates) {
            lastFullAckNanos = nowNanos;
            rate = timeWindow.arrivalRate();
            capacity = timeWindow.linkCapacity();
        }
        int available = Math.max(2, receiveBuffer.available(largestReceived));
        Ack.writeFull(control, ackSequence, ack, rtt, rttVariance, available, withRates, rate, capacity,
                peerSocketId);
        ackWindow.store(ackSequence, ack, nowNanos);
        output.send(control, peer);
        stats.acksSent++;
    }

    /** Reports every hole between the ACK point and the largest received packet, as many as fit one packet. */
    private void sendLossReport() {
        LossReport.begin(control, peerSocketId);
        control.limit(Math.min(control.capacity(), Packet.HEADER_LENGTH + payloadSize));
        int at = receiveBuffer.firstMissing();
        boolean any = false;
        while (SeqNo.compare(at, largestReceived) < 0) {
            if (receiveBuffer.isPresent(at)) {
                at = SeqNo.increment(at);
                continue;
            }
            int end = at;
            while (SeqNo.compare(end, largestReceived) < 0 && !receiveBuffer.isPresent(SeqNo.increment(end))) {
                end = SeqNo.increment(end);
            }
            if (!LossReport.append(control, at, end)) {
                break;
            }
            any = true;
            at = SeqNo.increment(end);
        }
        LossReport.end(control);
        if (any) {
            output.send(control, peer);
            stats.naksSent++;
        }
    }

    private long nextNakNanos() {
        return lastNakDueNanos + nakIntervalNanos();
    }

    private long nakIntervalNanos() {
        return Math.max(((long) rtt + 4L * rttVariance + SYN_MICROS) * 1000L, MIN_NAK_INTERVAL_NANOS);
    }

    // ------------------------------------------------------------------------------------------ expiry

    private void resetExpiry(long nowNanos) {
        expCount = 1;
        lastResponseNanos = nowNanos;
        lastHeardNanos = nowNanos;
    }

    private long expiryIntervalMicros() {
        long interval = expCount * ((long) rtt + 4L * rttVariance) + SYN_MICROS;
        return Math.max(interval, (long) expCount * MIN_EXP_MICROS);
    }

    private void checkExpiry(long nowNanos) {
        long silent = nowNanos - lastResponseNanos;
        if (silent < expiryIntervalMicros() * 1000L) {
            return;
        }
        if ((expCount > MAX_EXP_COUNT && silent > PEER_DEAD_NANOS) || (expCount > MIN_EXP_COUNT_FOR_SILENCE
                && nowNanos - lastHeardNanos > PEER_SILENCE_LIMIT_NANOS)) {
            fail("peer not responding");
            return;
        }
        stats.expirations++;
        if (nextSequence != lastAck) {
            if (sendBuffer.lostCount() == 0) {
                int last = congestionControl.resendAllOnTimeout() ? SeqNo.decrement(nextSequence) : lastAck;
                sendBuffer.markLost(lastAck, last, nextSequence);
                congestionControl.onTimeout(nowNanos);
            }
        } else {
            sendPadded(ControlPacket.TYPE_KEEP_ALIVE, 0);
        }
        expCount++;
        lastResponseNanos = nowNanos;
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void sendPadded(int type, int additionalInfo) {
        ControlPacket.writePadded(control, type, 0, additionalInfo, peerSocketId);
        output.send(control, peer);
    }

    private double effectivePeriodMicros() {
        if (congestionControl == null) {
            return 1;
        }
        double period = congestionControl.periodMicros();
        if (config.maxBandwidth() > 0) {
            period = Math.max(period, 1_000_000.0 * mss / config.maxBandwidth());
        }
        return period;
    }

    private int timestamp(long nowNanos) {
        return (int) ((nowNanos - startNanos) / 1000);
    }
}
