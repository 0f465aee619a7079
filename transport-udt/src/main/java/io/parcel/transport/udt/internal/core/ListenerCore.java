package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.wire.ControlPacket;
import io.parcel.transport.udt.internal.wire.Handshake;
import io.parcel.transport.udt.internal.wire.Packet;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The listening side of the UDT 4.11 handshake, without I/O or clock: answers a type-1 request with a SYN cookie
 * (bound to the client's address and the minute), accepts a type -1 request that echoes a valid cookie, answers
 * repeated requests of an existing connection with its response again, and rejects (1002) a wrong version or
 * socket type or a full backlog. Anything else is dropped and counted. Not thread-safe: one lock guards it.
 */
public final class ListenerCore {
    /** Makes the server-side connection for a valid request, or returns null when the backlog is full. */
    public interface Acceptor {
        UdtConnection accept(ByteBuffer request, InetSocketAddress peer, long nowNanos);
    }

    private record PeerKey(InetSocketAddress address, int socketId) {
    }

    private static final long COOKIE_PERIOD_NANOS = 60_000_000_000L;

    private final int socketType;
    private final UdtConnection.Output output;
    private final Acceptor acceptor;
    private final byte[] secret;
    private final long startNanos;
    private final ByteBuffer reply = ByteBuffer.allocate(Handshake.PACKET_LENGTH);
    private final Map<PeerKey, UdtConnection> connections = new HashMap<>();
    private long dropped;
    private long badCookies;
    private long rejected;

    public ListenerCore(int socketType, UdtConnection.Output output, Acceptor acceptor, byte[] secret,
            long nowNanos) {
        this.socketType = socketType;
        this.output = requireNonNull(output, "output is null");
        this.acceptor = requireNonNull(acceptor, "acceptor is null");
        this.secret = requireNonNull(secret, "secret is null").clone();
        this.startNanos = nowNanos;
    }

    /** A datagram addressed to socket id 0 on the listener's port. */
    public void receive(ByteBuffer packet, InetSocketAddress source, long nowNanos) {
        if (packet.limit() != Handshake.PACKET_LENGTH || !Packet.isControl(packet)
                || ControlPacket.type(packet) != ControlPacket.TYPE_HANDSHAKE) {
            dropped++;
            return;
        }
        int type = Handshake.requestType(packet);
        int peerId = Handshake.socketId(packet);
        if (peerId <= 0) {
            dropped++;
            return;
        }
        long bucket = (nowNanos - startNanos) / COOKIE_PERIOD_NANOS;
        if (type == Handshake.REQUEST_CONNECT) {
            echo(packet, source, Handshake.REQUEST_CONNECT, cookie(source, bucket));
            return;
        }
        if (type != Handshake.REQUEST_RESPONSE) {
            dropped++;
            return;
        }
        int presented = Handshake.cookie(packet);
        if (presented != cookie(source, bucket) && presented != cookie(source, bucket - 1)) {
            badCookies++;
            return;
        }
        if (Handshake.version(packet) != Handshake.VERSION || Handshake.socketType(packet) != socketType) {
            rejected++;
            echo(packet, source, Handshake.REQUEST_REJECTED, presented);
            return;
        }
        PeerKey key = new PeerKey(source, peerId);
        UdtConnection existing = connections.get(key);
        if (existing != null && !existing.isBroken()
                && existing.initialSequence() == (Handshake.initialSequence(packet) & 0x7FFFFFFF)) {
            existing.sendResponse(presented);
            return;
        }
        UdtConnection connection = acceptor.accept(packet, source, nowNanos);
        if (connection == null) {
            rejected++;
            echo(packet, source, Handshake.REQUEST_REJECTED, presented);
            return;
        }
        connections.put(key, connection);
        connection.sendResponse(presented);
    }

    /** Forgets a closed connection, so a new request from the same peer and socket id makes a new one. */
    public void forget(UdtConnection connection) {
        connections.values().remove(connection);
    }

    public long dropped() {
        return dropped;
    }

    public long badCookies() {
        return badCookies;
    }

    public long rejected() {
        return rejected;
    }

    private void echo(ByteBuffer request, InetSocketAddress source, int type, int cookieValue) {
        reply.clear();
        for (int i = 0; i < Handshake.PACKET_LENGTH; i += 4) {
            reply.putInt(i, request.getInt(i));
        }
        reply.limit(Handshake.PACKET_LENGTH);
        reply.putInt(Packet.DESTINATION_SOCKET_ID_OFFSET, Handshake.socketId(request));
        Handshake.setRequestType(reply, type);
        Handshake.setCookie(reply, cookieValue);
        output.send(reply, source);
    }

    private int cookie(InetSocketAddress source, long bucket) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(secret);
            digest.update((source.getAddress().getHostAddress() + ":" + source.getPort() + ":" + bucket)
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] hash = digest.digest();
            return ((hash[0] & 0xFF) << 24) | ((hash[1] & 0xFF) << 16) | ((hash[2] & 0xFF) << 8) | (hash[3] & 0xFF);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
