package io.parcel.transport.udt;

import io.parcel.spi.CommonOptions;
import io.parcel.spi.OptionKey;
import io.parcel.spi.Options;
import io.parcel.spi.UsageException;
import io.parcel.transport.udt.internal.cc.BbrCongestionControl;
import io.parcel.transport.udt.internal.cc.CongestionControl;
import io.parcel.transport.udt.internal.cc.NativeCongestionControl;
import io.parcel.transport.udt.internal.core.ConnectionConfig;
import io.parcel.transport.udt.internal.io.SocketSettings;
import io.parcel.transport.udt.internal.wire.Handshake;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The {@code udt} transport's option keys. Defaults follow UDT 4.11 where it has one (MSS 1500, flow window cap
 * 25600) except the buffers (4.11: 8192 packets, 12 MB, which caps a lossy 500 Mbit/s path at RTT 100 ms near
 * 280 Mbit/s; here 32768 packets, 48 MB, a ceiling: memory is taken as packets are held and given back, within a
 * budget for the whole process), linger (4.11: 180 s; here 30 s, so a close to a vanished peer does not block for
 * minutes) and the congestion control (4.11's DAIMD collapses under random loss; ours defaults to a rate-based
 * control, {@code udt.cc=native} selects 4.11's).
 */
public final class UdtOptions {
    /** Packet size including IP and UDP headers; the payload per packet is 44 bytes less. */
    public static final OptionKey<Integer> MSS =
            OptionKey.integer("udt.mss", ConnectionConfig.DEFAULT_MSS, "UDT packet size incl. IP/UDP headers");
    public static final OptionKey<Long> SEND_BUFFER = OptionKey.bytes("udt.send-buffer",
            (long) ConnectionConfig.DEFAULT_BUFFER_PACKETS * (ConnectionConfig.DEFAULT_MSS - 44),
            "UDT send buffer, bytes");
    public static final OptionKey<Long> RECEIVE_BUFFER = OptionKey.bytes("udt.receive-buffer",
            (long) ConnectionConfig.DEFAULT_BUFFER_PACKETS * (ConnectionConfig.DEFAULT_MSS - 44),
            "UDT receive buffer (and flow window), bytes");
    public static final OptionKey<Long> UDP_SEND_BUFFER =
            OptionKey.bytes("udt.udp-send-buffer", 1L << 20, "SO_SNDBUF of the UDP socket");
    public static final OptionKey<Long> UDP_RECEIVE_BUFFER = OptionKey.bytes("udt.udp-receive-buffer",
            12L << 20, "SO_RCVBUF of the UDP socket (capped by net.core.rmem_max)");
    /** Bytes per second; 0 means no cap. */
    public static final OptionKey<Long> MAX_BANDWIDTH =
            OptionKey.bytes("udt.max-bandwidth", 0L, "cap on the sending rate, bytes/s (0 = none)");
    public static final OptionKey<Boolean> RENDEZVOUS =
            OptionKey.bool("udt.rendezvous", false, "connect in rendezvous mode (both sides connect)");
    public static final OptionKey<String> BIND = OptionKey.string("udt.bind", "",
            "local HOST:PORT (or [IPV6]:PORT) that connections start from; required with udt.rendezvous");
    /** UDT_REUSEADDR, on by default as in 4.11. */
    public static final OptionKey<Boolean> REUSE_ADDRESS = OptionKey.bool("udt.reuseaddr", true,
            "let sockets bound to the same address and port share one UDP port (UDT_REUSEADDR)");
    public static final OptionKey<Duration> LINGER = OptionKey.duration("udt.linger", Duration.ofSeconds(30),
            "how long close() waits for written data to be acknowledged");
    /** {@code bbr} (default) or {@code native}; the wire format is UDT4 either way. */
    public static final OptionKey<String> CONGESTION_CONTROL = OptionKey.string("udt.cc",
            BbrCongestionControl.NAME,
            "congestion control: native (UDT 4.11's DAIMD) or bbr (rate-based, tolerates random loss)");

    private UdtOptions() {
    }

    /** Every key above, for help output. */
    public static List<OptionKey<?>> all() {
        return List.of(MSS, SEND_BUFFER, RECEIVE_BUFFER, UDP_SEND_BUFFER, UDP_RECEIVE_BUFFER, MAX_BANDWIDTH,
                RENDEZVOUS, BIND, REUSE_ADDRESS, LINGER, CONGESTION_CONTROL, CommonOptions.CONNECT_TIMEOUT, CommonOptions.IO_TIMEOUT);
    }

    /** Reads and checks the settings a socket is made with. */
    static SocketSettings settings(Options options) throws UsageException {
        int mss = options.get(MSS);
        if (mss < 76 || mss > 65_536) {
            throw new UsageException("option 'udt.mss' must be within 76..65536: " + mss);
        }
        int payload = mss - ConnectionConfig.OVERHEAD;
        int sendPackets = packets(options.get(SEND_BUFFER), payload, SEND_BUFFER);
        int receivePackets = packets(options.get(RECEIVE_BUFFER), payload, RECEIVE_BUFFER);
        Supplier<CongestionControl> congestionControl = congestionControl(options.get(CONGESTION_CONTROL));
        // 4.11 connects within 3 s; a transport's own connect timeout replaces it per connect call
        ConnectionConfig connection = new ConnectionConfig(mss, sendPackets, receivePackets,
                Math.max(ConnectionConfig.DEFAULT_FLOW_CONTROL_PACKETS, receivePackets), options.get(MAX_BANDWIDTH),
                Handshake.SOCKET_TYPE_STREAM, Duration.ofSeconds(3).toNanos(), congestionControl);
        return new SocketSettings(connection, clampInt(options.get(UDP_RECEIVE_BUFFER)),
                clampInt(options.get(UDP_SEND_BUFFER)), options.get(LINGER).toNanos(),
                options.get(CommonOptions.IO_TIMEOUT).toNanos(), options.get(REUSE_ADDRESS));
    }

    /** The same settings for message mode: the handshake then carries socket type 2 (UDT_DGRAM). */
    static SocketSettings messageSettings(Options options) throws UsageException {
        SocketSettings stream = settings(options);
        ConnectionConfig dgram = stream.connection().withSocketType(Handshake.SOCKET_TYPE_DATAGRAM);
        return new SocketSettings(dgram, stream.udpReceiveBuffer(), stream.udpSendBuffer(), stream.lingerNanos(),
                stream.ioTimeoutNanos(), stream.reuseAddress());
    }

    /**
     * Where connections start from: {@code udt.bind}, or null for an ephemeral port.
     *
     * @throws UsageException when the address does not parse, or rendezvous is asked for without it (both peers
     *                        of a rendezvous must know each other's port in advance)
     */
    static InetSocketAddress bindAddress(Options options) throws UsageException {
        String text = options.get(BIND).trim();
        if (text.isEmpty()) {
            if (options.get(RENDEZVOUS)) {
                throw new UsageException("option 'udt.rendezvous' needs 'udt.bind' (the local HOST:PORT the peer connects to)");
            }
            return null;
        }
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (colon < 0 || port < 0 || port > 65_535) {
            throw new UsageException("option 'udt.bind' must be HOST:PORT or [IPV6]:PORT: '" + text + "'");
        }
        InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UsageException("option 'udt.bind': cannot resolve '" + host + "'");
        }
        return address;
    }

    static SocketSettings defaults() {
        try {
            return settings(Options.empty());
        } catch (UsageException e) {
            throw new IllegalStateException("defaults must be valid", e);
        }
    }

    private static Supplier<CongestionControl> congestionControl(String name) throws UsageException {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case NativeCongestionControl.NAME -> NativeCongestionControl::new;
            case BbrCongestionControl.NAME -> BbrCongestionControl::new;
            default -> throw new UsageException("option 'udt.cc' must be 'native' or 'bbr': '" + name + "'");
        };
    }

    private static int packets(long bytes, int payload, OptionKey<Long> key) throws UsageException {
        long packets = (bytes + payload - 1) / payload;
        if (packets < 32 || packets > 1_000_000) {
            throw new UsageException("option '" + key.name() + "' must hold 32 to 1000000 packets of " + payload
                    + " bytes: " + bytes);
        }
        return (int) packets;
    }

    private static int clampInt(long value) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1024, value));
    }
}
