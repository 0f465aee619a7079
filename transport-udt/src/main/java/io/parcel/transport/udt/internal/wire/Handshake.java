package io.parcel.transport.udt.internal.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The 48-byte handshake body (control type 0), offsets relative to the start of the packet. Field values as
 * UDT 4.11 uses them: version 4, socket type 1 = stream / 2 = datagram (not the draft's 0/1), request type
 * 1 / 0 / -1 / -2 / 1002, MSS including IP and UDP headers, flow window in packets.
 */
public final class Handshake {
    public static final int BODY_LENGTH = 48;
    public static final int PACKET_LENGTH = Packet.HEADER_LENGTH + BODY_LENGTH;

    public static final int VERSION_OFFSET = ControlPacket.BODY_OFFSET;
    public static final int SOCKET_TYPE_OFFSET = VERSION_OFFSET + 4;
    public static final int INITIAL_SEQUENCE_OFFSET = SOCKET_TYPE_OFFSET + 4;
    public static final int MSS_OFFSET = INITIAL_SEQUENCE_OFFSET + 4;
    public static final int FLOW_WINDOW_OFFSET = MSS_OFFSET + 4;
    public static final int REQUEST_TYPE_OFFSET = FLOW_WINDOW_OFFSET + 4;
    public static final int SOCKET_ID_OFFSET = REQUEST_TYPE_OFFSET + 4;
    public static final int COOKIE_OFFSET = SOCKET_ID_OFFSET + 4;
    /** Four words: the address of the handshake's receiver, each 4-byte group byte-reversed (see below). */
    public static final int PEER_IP_OFFSET = COOKIE_OFFSET + 4;
    public static final int PEER_IP_LENGTH = 16;

    public static final int VERSION = 4;
    public static final int SOCKET_TYPE_STREAM = 1;
    public static final int SOCKET_TYPE_DATAGRAM = 2;

    public static final int REQUEST_CONNECT = 1;
    public static final int REQUEST_RENDEZVOUS = 0;
    public static final int REQUEST_RESPONSE = -1;
    public static final int REQUEST_RENDEZVOUS_FINAL = -2;
    public static final int REQUEST_REJECTED = 1002;

    private Handshake() {
    }

    public static int version(ByteBuffer packet) {
        return packet.getInt(VERSION_OFFSET);
    }

    public static int socketType(ByteBuffer packet) {
        return packet.getInt(SOCKET_TYPE_OFFSET);
    }

    public static int initialSequence(ByteBuffer packet) {
        return packet.getInt(INITIAL_SEQUENCE_OFFSET);
    }

    public static int mss(ByteBuffer packet) {
        return packet.getInt(MSS_OFFSET);
    }

    public static int flowWindow(ByteBuffer packet) {
        return packet.getInt(FLOW_WINDOW_OFFSET);
    }

    public static int requestType(ByteBuffer packet) {
        return packet.getInt(REQUEST_TYPE_OFFSET);
    }

    public static int socketId(ByteBuffer packet) {
        return packet.getInt(SOCKET_ID_OFFSET);
    }

    public static int cookie(ByteBuffer packet) {
        return packet.getInt(COOKIE_OFFSET);
    }

    public static void setRequestType(ByteBuffer packet, int requestType) {
        packet.putInt(REQUEST_TYPE_OFFSET, requestType);
    }

    public static void setCookie(ByteBuffer packet, int cookie) {
        packet.putInt(COOKIE_OFFSET, cookie);
    }

    /**
     * Writes a whole handshake packet into {@code packet} from index 0, position 0, limit
     * {@link #PACKET_LENGTH}.
     */
    public static void write(ByteBuffer packet, int destinationSocketId, int version, int socketType,
            int initialSequence, int mss, int flowWindow, int requestType, int socketId, int cookie,
            InetAddress peerAddress) {
        packet.clear();
        ControlPacket.writeHeader(packet, ControlPacket.TYPE_HANDSHAKE, 0, 0, destinationSocketId);
        packet.putInt(VERSION_OFFSET, version);
        packet.putInt(SOCKET_TYPE_OFFSET, socketType);
        packet.putInt(INITIAL_SEQUENCE_OFFSET, initialSequence);
        packet.putInt(MSS_OFFSET, mss);
        packet.putInt(FLOW_WINDOW_OFFSET, flowWindow);
        packet.putInt(REQUEST_TYPE_OFFSET, requestType);
        packet.putInt(SOCKET_ID_OFFSET, socketId);
        packet.putInt(COOKIE_OFFSET, cookie);
        writePeerAddress(packet, peerAddress);
        packet.limit(PACKET_LENGTH);
    }

    /**
     * 4.11 copies the network-order address bytes into host-order words and then swaps each word to network order,
     * so on the little-endian hosts it runs on every 4-byte group of the address appears byte-reversed
     * (127.0.0.1 is sent as {@code 01 00 00 7f}). We write the same so that the C++ side's getsockname() is right.
     */
    public static void writePeerAddress(ByteBuffer packet, InetAddress address) {
        byte[] raw = address == null ? new byte[0] : address.getAddress();
        for (int i = 0; i < PEER_IP_LENGTH; i++) {
            int group = i / 4;
            int source = group * 4 + (3 - i % 4);
            packet.put(PEER_IP_OFFSET + i, source < raw.length ? raw[source] : 0);
        }
    }

    /** Reverses {@link #writePeerAddress}; {@code ipv6} tells how many of the 16 bytes are the address. */
    public static InetAddress peerAddress(ByteBuffer packet, boolean ipv6) throws UnknownHostException {
        byte[] raw = new byte[ipv6 ? 16 : 4];
        for (int i = 0; i < raw.length; i++) {
            int group = i / 4;
            raw[i] = packet.get(PEER_IP_OFFSET + group * 4 + (3 - i % 4));
        }
        return InetAddress.getByAddress(raw);
    }

    public static boolean isIpv6(InetAddress address) {
        return address instanceof Inet6Address && !(address instanceof Inet4Address);
    }
}
