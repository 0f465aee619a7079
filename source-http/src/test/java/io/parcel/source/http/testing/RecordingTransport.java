package io.parcel.source.http.testing;

import io.parcel.spi.Transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test {@link Transport} over plain loopback sockets that remembers every connection it made, so a test can
 * fail on a leaked one.
 */
public final class RecordingTransport implements Transport {
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<InetSocketAddress> remotes = new CopyOnWriteArrayList<>();
    private final AtomicInteger refusals = new AtomicInteger();

    @Override
    public String name() {
        return "recording-tcp";
    }

    @Override
    public Socket connect(InetSocketAddress remote, Duration timeout) throws IOException {
        // Like the real transports, it resolves the names the source passes unresolved.
        InetSocketAddress resolved = remote.isUnresolved()
                ? new InetSocketAddress(InetAddress.getByName(remote.getHostString()), remote.getPort()) : remote;
        if (!resolved.getAddress().isLoopbackAddress()) {
            refusals.incrementAndGet();
            throw new IOException("test transport only connects to loopback, not " + remote);
        }
        Socket socket = new Socket();
        try {
            socket.connect(resolved, (int) timeout.toMillis());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        sockets.add(socket);
        remotes.add(remote);
        return socket;
    }

    @Override
    public ServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
        return new ServerSocket(local.getPort(), backlog, local.getAddress());
    }

    /** Connections made so far. */
    public int connections() {
        return sockets.size();
    }

    public List<InetSocketAddress> remotes() {
        return List.copyOf(remotes);
    }

    /** Connections not closed yet. */
    public long openConnections() {
        return sockets.stream().filter(socket -> !socket.isClosed()).count();
    }

    @Override
    public void close() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // The test is over; a close failure here changes nothing.
            }
        }
    }
}
