package io.parcel.kernel.relay;

import io.parcel.spi.HostLookup;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The plain TCP sides of the relay: the upstream connections and the tunnels' TCP listeners, on JDK sockets. */
final class PlainTcp {
    private PlainTcp() {
    }

    /**
     * Connects to {@code target} within {@code timeout}, the host name lookup included (one deadline for both: a name
     * server that hangs must not hold the connection past the connect timeout). The socket is handed to {@code owner}
     * before connecting, so a close that races the connect closes it too.
     */
    static Socket connect(HostPort target, Duration timeout, PumpGroup.Link owner, HostLookup lookup)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        InetSocketAddress address = target.resolve(lookup, timeout);
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remainingMillis < 1) {
            throw new SocketTimeoutException("connect to " + target + " timed out after " + timeout.toMillis()
                    + " ms (the host name lookup took it all)");
        }
        Socket socket = new Socket();
        owner.own(socket);
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(address, (int) Math.min(Integer.MAX_VALUE, remainingMillis));
            return socket;
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new SocketTimeoutException("connect to " + target + " timed out after " + timeout.toMillis() + " ms");
        } catch (ConnectException e) {
            socket.close();
            throw new ConnectException("connect to " + target + " refused: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static ServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(local, backlog);
            return listener;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /** Accepted TCP connections carry interactive traffic too: no Nagle delay; keepalive finds dead peers. */
    static void tune(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
    }
}
