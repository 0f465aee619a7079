package io.parcel.transport.tcp.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/** A listener whose accepted connections are {@link TcpSocket}s set up like outgoing ones. */
final class TcpServerSocket extends ServerSocket {
    private final TcpConfig config;
    private final WriteWatchdog watchdog;

    TcpServerSocket(TcpConfig config, WriteWatchdog watchdog) throws IOException {
        this.config = config;
        this.watchdog = watchdog;
        if (config.receiveBuffer() > 0) {
            // Accepted sockets inherit it; it has to be set before listening to allow windows above 64 KiB.
            setReceiveBufferSize(config.receiveBuffer());
        }
    }

    @Override
    public Socket accept() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isBound()) {
            throw new SocketException("Socket is not bound yet");
        }
        TcpSocket socket = new TcpSocket(watchdog);
        try {
            implAccept(socket);
            socket.configure(config);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        socket.watch();
        return socket;
    }
}
