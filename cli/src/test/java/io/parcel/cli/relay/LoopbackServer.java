package io.parcel.cli.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A TCP server on 127.0.0.1 for the tunnel tests: each accepted connection goes to {@code handler} on a virtual
 * thread of its own (the handler closes it and deals with its failures). {@link #close()} closes the listener and
 * every connection, which ends the handlers.
 */
final class LoopbackServer implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    LoopbackServer(String name, int backlog, Consumer<Socket> handler) throws IOException {
        listener = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name(name).start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    sockets.add(socket);
                    Thread.ofVirtual().start(() -> handler.accept(socket));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return sockets.size();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
