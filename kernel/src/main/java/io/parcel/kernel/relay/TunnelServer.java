package io.parcel.kernel.relay;

import io.parcel.spi.HostLookup;
import io.parcel.spi.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static java.lang.System.Logger.Level.INFO;
import static java.util.Objects.requireNonNull;

/**
 * The raw tunnels, like the original Parcel's C++ proxies, with no preamble: {@code tcp2udt} accepts TCP and opens
 * one connection over the transport to its fixed {@code --to} for each; {@code udt2tcp} accepts on the transport and
 * opens one TCP connection to its fixed {@code --to} for each, and connects nowhere else.
 *
 * <p>Owns its listener and every connection; {@link #close()} stops accepting and closes them all, bounded by
 * {@link PumpSettings#closeTimeout()}. The transport stays the caller's.
 */
public final class TunnelServer implements AutoCloseable {
    /** Where each accepted connection goes on to. */
    @FunctionalInterface
    private interface Dialer {
        Socket dial(PumpGroup.Link link) throws IOException;
    }

    private final PumpGroup group;
    private final AcceptLoop acceptLoop;
    private final InetSocketAddress localAddress;

    private TunnelServer(String name, ServerSocket listener, HostPort to, Dialer dialer, PumpSettings settings,
                         System.Logger logger, LongSupplier nanoTime) {
        this.group = new PumpGroup(name, settings, logger, nanoTime);
        this.localAddress = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
        this.acceptLoop = new AcceptLoop(name, listener, group, link -> {
            link.target(to.toString());
            Socket upstream = dialer.dial(link);
            return new PumpGroup.Spliced(link.accepted(), upstream, to.toString());
        }, logger);
    }

    /** {@code tcp2udt}: listens on TCP at {@code listen}; each connection goes over {@code transport} to {@code to}. */
    public static TunnelServer tcpToTransport(InetSocketAddress listen, Transport transport, HostPort to,
                                              int backlog, PumpSettings settings, System.Logger logger)
            throws IOException {
        requireNonNull(transport, "transport is null");
        requireNonNull(to, "to is null");
        String name = "tcp2" + transport.name();
        ServerSocket listener = PlainTcp.listen(requireNonNull(listen, "listen is null"), backlog);
        return start(name, listener, to, link -> {
            PlainTcp.tune(link.accepted());
            // One deadline for the lookup of --to and the connect, as on the TCP side.
            long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
            InetSocketAddress address = to.resolve(HostLookup.system(), settings.connectTimeout());
            Duration remaining = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
            Socket socket;
            try {
                socket = transport.connect(address, remaining);
            } catch (SocketTimeoutException e) {
                // Over UDP nothing refuses a connection to a port where nobody listens; name the usual cause.
                SocketTimeoutException explained = new SocketTimeoutException("no answer from " + to + " over "
                        + transport.name() + " within " + settings.connectTimeout().toMillis() + " ms (is 'parcel"
                        + " tunnel udt2tcp --transport " + transport.name() + "' listening there?)");
                explained.initCause(e);
                throw explained;
            }
            link.own(socket);
            return socket;
        }, settings, logger, "TCP", transport.name());
    }

    /** {@code udt2tcp}: listens on {@code transport} at {@code listen}; each connection goes over TCP to {@code to}. */
    public static TunnelServer transportToTcp(Transport transport, InetSocketAddress listen, HostPort to,
                                              int backlog, PumpSettings settings, System.Logger logger)
            throws IOException {
        requireNonNull(transport, "transport is null");
        requireNonNull(to, "to is null");
        String name = transport.name() + "2tcp";
        ServerSocket listener = transport.listen(requireNonNull(listen, "listen is null"), backlog);
        return start(name, listener, to, link -> PlainTcp.connect(to, settings.connectTimeout(), link, HostLookup.system()),
                settings, logger, transport.name(), "TCP");
    }

    private static TunnelServer start(String name, ServerSocket listener, HostPort to, Dialer dialer,
                                      PumpSettings settings, System.Logger logger, String from, String onward)
            throws IOException {
        requireNonNull(settings, "settings is null");
        requireNonNull(logger, "logger is null");
        TunnelServer server;
        try {
            server = new TunnelServer(name, listener, to, dialer, settings, logger, System::nanoTime);
            server.acceptLoop.start();
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        logger.log(INFO, name + ": listening on " + PumpGroup.format(server.localAddress) + " over " + from
                + "; every connection goes over " + onward + " to " + to);
        return server;
    }

    /** Where it listens (the real port when port 0 was asked for). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public RelayStatistics statistics() {
        return group.statistics();
    }

    /** Connection threads still running; 0 after {@link #close()} returned in time. */
    int liveThreads() {
        return group.liveThreads() + (acceptLoop.isAlive() ? 1 : 0);
    }

    /** Stops accepting, closes every connection, waits for their threads (bounded). Idempotent. */
    @Override
    public void close() {
        acceptLoop.close();
        group.close();
    }
}
