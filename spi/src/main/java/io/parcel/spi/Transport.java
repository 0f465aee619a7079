package io.parcel.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * Reliable, ordered byte streams between two hosts: TCP, UDT, QUIC, ... behind one contract, so everything above
 * (HTTP, tunnels, {@code perf}) runs unchanged on any of them.
 *
 * <p>Connections are plain {@link Socket}s (a transport subclasses {@code Socket} where it is not TCP), so any
 * library that takes a socket, TLS among them via
 * {@link javax.net.ssl.SSLSocketFactory#createSocket(Socket, String, int, boolean)}, runs over any transport.
 * The contract every transport keeps, checked by the conformance suite in {@code test-support}:
 * <ul>
 *   <li>{@link Socket#getInputStream()} / {@link Socket#getOutputStream()} carry bytes in order and unchanged;
 *       {@code read} returns -1 after the peer's {@link Socket#shutdownOutput()} (half-close) once all data before
 *       it has been read, while the other direction keeps working;</li>
 *   <li>{@link Socket#setSoTimeout(int)} bounds every blocking read ({@link java.net.SocketTimeoutException});
 *       writes never block longer than the transport's {@link CommonOptions#IO_TIMEOUT};</li>
 *   <li>a peer that vanishes or resets makes blocked and later calls fail with an {@link IOException} within the
 *       I/O timeout, never hang;</li>
 *   <li>{@link Socket#close()} releases everything the connection holds; it is idempotent.</li>
 * </ul>
 * A transport may be used from many threads; each socket is used by at most one reader and one writer thread.
 */
public interface Transport extends AutoCloseable {
    /** The factory name this transport was made by, e.g. {@code "tcp"}. */
    String name();

    /**
     * Opens a connection to {@code remote}.
     *
     * @throws java.net.SocketTimeoutException when no connection was made within {@code timeout}
     * @throws java.net.ConnectException       when the peer refused
     */
    Socket connect(InetSocketAddress remote, Duration timeout) throws IOException;

    /**
     * Listens on {@code local} (port 0 picks a free one; {@link ServerSocket#getLocalPort()} tells which).
     * {@link ServerSocket#accept()} honours {@link ServerSocket#setSoTimeout(int)}; the caller owns and closes
     * the server socket and every accepted socket.
     */
    ServerSocket listen(InetSocketAddress local, int backlog) throws IOException;

    /** Releases what the transport shares between connections (threads, UDP ports). Idempotent. */
    @Override
    void close();
}
