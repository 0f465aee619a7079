package io.parcel.transport.udt;

import io.parcel.spi.Transport;
import io.parcel.transport.udt.internal.io.SocketSettings;
import io.parcel.transport.udt.internal.io.UdtEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/** The {@code udt} transport: sockets made here share one engine, whose ports close with the transport. */
final class UdtTransport implements Transport {
    private final UdtEngine engine = new UdtEngine();
    private final SocketSettings settings;
    private final boolean rendezvous;
    private final InetSocketAddress bind;

    /**
     * @param rendezvous connect in rendezvous mode (the peer connects to us at the same time)
     * @param bind       local address connections start from, or null for an ephemeral port
     */
    UdtTransport(SocketSettings settings, boolean rendezvous, InetSocketAddress bind) {
        this.settings = requireNonNull(settings, "settings is null");
        this.rendezvous = rendezvous;
        this.bind = bind;
    }

    @Override
    public String name() {
        return UdtTransportFactory.NAME;
    }

    @Override
    public Socket connect(InetSocketAddress remote, Duration timeout) throws IOException {
        requireNonNull(remote, "remote is null");
        requireNonNull(timeout, "timeout is null");
        UdtSocket socket = new UdtSocket(engine, settings, false);
        try {
            if (bind != null) {
                socket.bind(bind);
            }
            socket.setRendezvous(rendezvous);
            socket.connect(remote, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public ServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
        requireNonNull(local, "local is null");
        UdtServerSocket server = new UdtServerSocket(engine, settings);
        try {
            server.bind(local, backlog);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
