package io.parcel.transport.tcp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The same contract over {@code ::1}, where the machine has IPv6 loopback. */
class TcpTransportIpv6ConformanceTest extends TcpTransportConformanceTest {
    private static final InetAddress IPV6_LOOPBACK = ipv6Loopback();

    @BeforeEach
    void requireIpv6() {
        assumeTrue(IPV6_LOOPBACK != null, "no ::1 on this machine");
    }

    @Override
    protected InetAddress loopback() {
        return IPV6_LOOPBACK;
    }

    @Override
    protected long bulkBytes() {
        return 64L << 20; // the IPv4 run moves the full 256 MiB; here the address family is what is tested
    }

    private static InetAddress ipv6Loopback() {
        try {
            InetAddress address = InetAddress.getByName("::1");
            NetworkInterface loopback = NetworkInterface.getByInetAddress(address);
            return address instanceof Inet6Address && loopback != null && loopback.isUp() ? address : null;
        } catch (UnknownHostException | SocketException e) {
            return null;
        }
    }
}
