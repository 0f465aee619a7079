package io.parcel.kernel.relay;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that sends to every connection without end (bounded at {@link #LIMIT_NANOS}), the way a large download
 * does, and counts the connections whose far side went away.
 */
final class StreamingServer implements AutoCloseable {
    private static final long LIMIT_NANOS = 30_000_000_000L;

    private final ServerSocket listener;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger broken = new AtomicInteger();

    StreamingServer() throws IOException {
        listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    int connected() {
        return connected.get();
    }

    /** Connections on which a write failed: the relay closed its side. */
    int broken() {
        return broken.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                connected.incrementAndGet();
                Thread.ofVirtual().start(() -> stream(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void stream(Socket socket) {
        byte[] chunk = new byte[16 * 1024];
        long end = System.nanoTime() + LIMIT_NANOS;
        try (socket; OutputStream out = socket.getOutputStream()) {
            while (System.nanoTime() < end) {
                out.write(chunk);
                Thread.sleep(1);
            }
        } catch (IOException e) {
            broken.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
