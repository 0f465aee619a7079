package io.parcel.testsupport;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A loopback address that accepts packets but never answers a connection attempt, so a connect to it can only
 * end by its timeout. Owns what it bound; {@link #close()} releases it.
 */
public final class BlackHole implements AutoCloseable {
    /** How many connections we try at most to fill a TCP accept queue; the kernel needs backlog + 1. */
    private static final int MAX_FILLERS = 32;

    private final InetSocketAddress address;
    private final List<Closeable> owned;

    private BlackHole(InetSocketAddress address, List<Closeable> owned) {
        this.address = address;
        this.owned = List.copyOf(owned);
    }

    /**
     * For TCP: a listener that never accepts, its accept queue filled to the brim, so Linux drops further SYNs
     * (instead of refusing them) and a connect waits out its timeout.
     */
    public static BlackHole tcpFullBacklog(InetAddress loopback) throws IOException {
        requireNonNull(loopback, "loopback is null");
        List<Closeable> owned = new ArrayList<>();
        try {
            ServerSocket listener = new ServerSocket();
            owned.add(listener);
            listener.bind(new InetSocketAddress(loopback, 0), 1);
            InetSocketAddress address = new InetSocketAddress(loopback, listener.getLocalPort());
            for (int attempt = 0; attempt < MAX_FILLERS; attempt++) {
                Socket filler = new Socket();
                try {
                    filler.connect(address, 300);
                    owned.add(filler);
                } catch (SocketTimeoutException full) {
                    filler.close();
                    return new BlackHole(address, owned);
                } catch (IOException e) {
                    filler.close();
                    throw e;
                }
            }
            throw new IOException("could not fill the accept queue of " + address + " with " + MAX_FILLERS
                    + " connections (is net.ipv4.tcp_abort_on_overflow set?)");
        } catch (IOException | RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    /** For transports over UDP: a bound datagram socket that never reads or replies. */
    public static BlackHole silentUdp(InetAddress loopback) throws IOException {
        requireNonNull(loopback, "loopback is null");
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0));
        return new BlackHole(new InetSocketAddress(loopback, socket.getLocalPort()), List.of(socket));
    }

    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        closeAll(owned);
    }

    private static void closeAll(List<Closeable> closeables) {
        for (int index = closeables.size() - 1; index >= 0; index--) {
            try {
                closeables.get(index).close();
            } catch (IOException ignored) {
                // Releasing test fixtures; nothing more to do.
            }
        }
    }
}
