package io.parcel.transport.tcp.internal;

import io.parcel.spi.CommonOptions;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.transport.tcp.TcpOptions;
import io.parcel.transport.tcp.TcpTransportFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpTransportTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void bothEndsGetNoDelayKeepAliveTheIoTimeoutAndTheBufferSizes() throws Exception {
        Options options = Options.empty().with(CommonOptions.IO_TIMEOUT, "7s")
                .with(TcpOptions.SEND_BUFFER, "256K").with(TcpOptions.RECEIVE_BUFFER, "512K");
        try (Transport transport = new TcpTransportFactory().create(options, PluginContext.system());
             ServerSocket listener = transport.listen(new InetSocketAddress(LOOPBACK, 0), 4)) {
            listener.setSoTimeout(5000);
            try (Socket client = transport.connect(address(listener), Duration.ofSeconds(5));
                 Socket server = listener.accept()) {
                for (Socket socket : new Socket[] {client, server}) {
                    assertTrue(socket.getTcpNoDelay(), "TCP_NODELAY");
                    assertTrue(socket.getKeepAlive(), "SO_KEEPALIVE");
                    assertEquals(7000, socket.getSoTimeout(), "SO_TIMEOUT is the I/O timeout");
                    // Linux reports twice what was asked for (it adds room for its own bookkeeping).
                    assertTrue(socket.getReceiveBufferSize() >= 512 * 1024, "SO_RCVBUF " + socket.getReceiveBufferSize());
                }
                assertTrue(client.getSendBufferSize() >= 256 * 1024, "SO_SNDBUF " + client.getSendBufferSize());
                assertTrue(server.getSendBufferSize() >= 256 * 1024, "SO_SNDBUF " + server.getSendBufferSize());
            }
        }
    }

    @Test
    void aZeroIoTimeoutMeansNoLimit() throws Exception {
        Options options = Options.empty().with(CommonOptions.IO_TIMEOUT, "0");
        try (Transport transport = new TcpTransportFactory().create(options, PluginContext.system());
             ServerSocket listener = transport.listen(new InetSocketAddress(LOOPBACK, 0), 4)) {
            listener.setSoTimeout(5000);
            try (Socket client = transport.connect(address(listener), Duration.ofSeconds(5));
                 Socket server = listener.accept()) {
                assertEquals(0, client.getSoTimeout());
                assertEquals(0, server.getSoTimeout());
                client.getOutputStream().write(5);
                assertEquals(5, server.getInputStream().read());
            }
        }
    }

    @Test
    void anUnresolvedNameIsResolvedByTheTransport() throws Exception {
        // The HTTP source passes names unresolved (a relay must see the name), so the transport resolves them.
        try (Transport transport = new TcpTransportFactory().create(Options.empty(), PluginContext.system());
             ServerSocket listener = transport.listen(new InetSocketAddress(LOOPBACK, 0), 4)) {
            listener.setSoTimeout(5000);
            InetSocketAddress byName = InetSocketAddress.createUnresolved("localhost", listener.getLocalPort());
            try (Socket client = transport.connect(byName, Duration.ofSeconds(5));
                 Socket server = listener.accept()) {
                client.getOutputStream().write(7);
                assertEquals(7, server.getInputStream().read());
                assertEquals(listener.getLocalPort(), client.getPort());
            }
        }
    }

    @Test
    void connectFailuresNameTheAddress() throws Exception {
        try (Transport transport = new TcpTransportFactory().create(Options.empty(), PluginContext.system())) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
                port = probe.getLocalPort();
            }
            InetSocketAddress nobody = new InetSocketAddress(LOOPBACK, port);
            ConnectException refused = assertThrows(ConnectException.class,
                    () -> transport.connect(nobody, Duration.ofSeconds(5)));
            assertTrue(refused.getMessage().contains(":" + port), refused.getMessage());
            InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no-such-host.invalid", 80);
            UnknownHostException unknown = assertThrows(UnknownHostException.class,
                    () -> transport.connect(unresolved, Duration.ofSeconds(5)));
            assertTrue(unknown.getMessage().contains("no-such-host.invalid"), unknown.getMessage());
        }
    }

    @Test
    void listeningOnATakenPortNamesThePort() throws Exception {
        try (Transport transport = new TcpTransportFactory().create(Options.empty(), PluginContext.system());
             ServerSocket taken = transport.listen(new InetSocketAddress(LOOPBACK, 0), 4)) {
            InetSocketAddress address = address(taken);
            java.net.BindException failure = assertThrows(java.net.BindException.class,
                    () -> transport.listen(address, 4));
            assertTrue(failure.getMessage().contains(":" + taken.getLocalPort()), failure.getMessage());
        }
    }

    @Test
    void aClosedTransportRefusesNewWorkButLeavesConnectionsOpen() throws Exception {
        Transport transport = new TcpTransportFactory().create(Options.empty(), PluginContext.system());
        try (ServerSocket listener = transport.listen(new InetSocketAddress(LOOPBACK, 0), 4)) {
            listener.setSoTimeout(5000);
            try (Socket client = transport.connect(address(listener), Duration.ofSeconds(5));
                 Socket server = listener.accept()) {
                transport.close();
                transport.close();
                assertThrows(SocketException.class, () -> transport.connect(address(listener), Duration.ofSeconds(1)));
                assertThrows(SocketException.class, () -> transport.listen(new InetSocketAddress(LOOPBACK, 0), 1));
                assertFalse(client.isClosed());
                client.getOutputStream().write(9);
                assertEquals(9, server.getInputStream().read());
            }
        }
    }

    @Test
    void closingTheOutputStreamClosesTheSocket() throws IOException {
        try (Transport transport = new TcpTransportFactory().create(Options.empty(), PluginContext.system());
             ServerSocket listener = transport.listen(new InetSocketAddress(LOOPBACK, 0), 4)) {
            listener.setSoTimeout(5000);
            Socket client = transport.connect(address(listener), Duration.ofSeconds(5));
            try (Socket server = listener.accept()) {
                assertEquals(client.getOutputStream(), client.getOutputStream(), "one stream per socket");
                client.getOutputStream().close();
                assertTrue(client.isClosed());
                assertEquals(-1, server.getInputStream().read());
            }
        }
    }

    private static InetSocketAddress address(ServerSocket listener) {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }
}
