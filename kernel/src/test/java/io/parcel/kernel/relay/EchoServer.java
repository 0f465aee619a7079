package io.parcel.kernel.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A plain TCP server on loopback: echoes every connection until end of stream, then half-closes (so a test sees the
 * half-close travel both ways). With {@code countOnly} it answers "got N" after the client's end of stream instead.
 */
final class EchoServer implements AutoCloseable {
    private final ServerSocket listener;
    private final boolean countOnly;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private EchoServer(boolean countOnly) throws IOException {
        this.listener = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        this.countOnly = countOnly;
        this.acceptor = Thread.ofVirtual().start(this::accept);
    }

    static EchoServer echo() throws IOException {
        return new EchoServer(false);
    }

    /** Reads to end of stream, then writes "got N\n" and half-closes. */
    static EchoServer counting() throws IOException {
        return new EchoServer(true);
    }

    HostPort address() {
        return new HostPort("127.0.0.1", listener.getLocalPort());
    }

    InetSocketAddress socketAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    int openConnections() {
        return (int) open.stream().filter(socket -> !socket.isClosed()).count();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                open.add(socket);
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[32 * 1024];
            long total = 0;
            int count;
            while ((count = in.read(buffer)) >= 0) {
                total += count;
                if (!countOnly) {
                    out.write(buffer, 0, count);
                }
            }
            if (countOnly) {
                out.write(("got " + total + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            socket.shutdownOutput();
            // Wait for the peer to close its side too, so the half-close is seen before the full close.
            socket.setSoTimeout(10_000);
            in.read();
        } catch (IOException e) {
            // The test on the other side reports what went wrong.
        } finally {
            open.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
