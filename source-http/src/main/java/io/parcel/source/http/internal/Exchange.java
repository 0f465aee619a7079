package io.parcel.source.http.internal;

import io.parcel.spi.ParcelException;
import io.parcel.spi.TransferException;
import io.parcel.spi.Transport;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.System.Logger.Level.DEBUG;
import static java.util.Objects.requireNonNull;

/**
 * One GET request and its response on a connection of the {@link ConnectionPool} or a new one opened through the
 * {@link Transport} (TLS layered on top for https). The exchange owns the connection until {@link #close()}: a
 * response read to its end that lets the connection live goes back to the pool, anything else (a body cut short, a
 * failure, {@code Connection: close}) closes it.
 */
public final class Exchange implements Closeable {
    /** Read buffer between the socket and the parsers: big enough for bulk reads, small per connection. */
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    private final URI uri;
    private final ConnectionPool pool;
    private final String origin;
    private final ConnectionPool.Connection connection;
    private final ResponseHead head;
    private final InputStream body;
    private final boolean reused;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Exchange(URI uri, ConnectionPool pool, String origin, ConnectionPool.Connection connection,
                     ResponseHead head, InputStream body, boolean reused) {
        this.uri = uri;
        this.pool = pool;
        this.origin = origin;
        this.connection = connection;
        this.head = head;
        this.body = body;
        this.reused = reused;
    }

    /**
     * Sends {@code GET uri} with {@code fields} (and the token, when {@code token} is present) and reads the
     * response head, on an idle connection of {@code pool} to the same origin when there is one. Failures come back
     * as {@link TransferException}s that say whether a retry may help.
     */
    public static Exchange execute(Transport transport, HttpSettings settings, ConnectionPool pool, URI uri,
                                   List<HeaderField> fields, Optional<AuthToken> token) throws IOException {
        requireNonNull(transport, "transport is null");
        requireNonNull(settings, "settings is null");
        requireNonNull(pool, "pool is null");
        requireNonNull(uri, "uri is null");
        String origin = ConnectionPool.origin(uri);
        byte[] request = HttpWire.requestHead(uri, settings.userAgent(), fields, token);
        Optional<ConnectionPool.Connection> idle = pool.take(origin);
        if (idle.isPresent()) {
            try {
                return send(uri, pool, origin, idle.get(), request, true);
            } catch (IOException | RuntimeException e) {
                // The server may have closed the idle connection just now (its keep-alive timeout, a restart); a GET
                // is safe to send again, so one new connection decides.
                pool.failed(idle.get());
                LOG.log(DEBUG, () -> "a kept-alive connection to " + endpoint(uri) + " failed (" + e
                        + "); sending on a new one");
            }
        }
        ConnectionPool.Connection fresh = open(transport, settings, uri);
        try {
            return send(uri, pool, origin, fresh, request, false);
        } catch (ParcelException | RuntimeException e) {
            closeQuietly(fresh.socket(), e);
            throw e;
        } catch (IOException e) {
            closeQuietly(fresh.socket(), e);
            throw ioFailure(uri, "request failed", e);
        }
    }

    /** A new connection to {@code uri}'s origin through {@code transport}, with TLS for https, ready for a request. */
    public static ConnectionPool.Connection open(Transport transport, HttpSettings settings, URI uri)
            throws IOException {
        String host = Urls.bareHost(uri);
        int port = Urls.port(uri);
        // Unresolved: the transport resolves the name within the connect timeout, or a relay carries it to the far
        // side (the relay's allow list matches names, and the client may not be able to resolve them at all).
        InetSocketAddress address = InetSocketAddress.createUnresolved(host, port);
        Socket socket = connect(transport, settings, uri, address);
        try {
            socket.setSoTimeout(settings.ioTimeoutMillis());
            if (Urls.isHttps(uri)) {
                socket = startTls(settings, socket, uri, host, port);
            }
            return new ConnectionPool.Connection(socket,
                    new BufferedInputStream(socket.getInputStream(), READ_BUFFER_BYTES));
        } catch (ParcelException | RuntimeException e) {
            closeQuietly(socket, e);
            throw e;
        } catch (IOException e) {
            closeQuietly(socket, e);
            throw ioFailure(uri, "request failed", e);
        }
    }

    private static Exchange send(URI uri, ConnectionPool pool, String origin, ConnectionPool.Connection connection,
                                 byte[] request, boolean reused) throws IOException {
        HttpWire.writeRequest(connection.socket().getOutputStream(), request);
        ResponseHead head = HttpWire.readResponseHead(connection.in());
        return new Exchange(uri, pool, origin, connection, head, bodyOf(head, connection.in()), reused);
    }

    private static Socket connect(Transport transport, HttpSettings settings, URI uri, InetSocketAddress address)
            throws ParcelException {
        try {
            return transport.connect(address, settings.connectTimeout());
        } catch (SocketTimeoutException e) {
            throw new TransferException("connecting to " + endpoint(uri) + " timed out after "
                    + settings.connectTimeout().toMillis() + " ms over " + transport.name(), true, e);
        } catch (ConnectException e) {
            throw new TransferException("connection to " + endpoint(uri) + " refused over " + transport.name()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), true, e);
        } catch (ParcelException e) {
            throw e; // the transport already decided what it means (a relay's refusal is final)
        } catch (UnknownHostException e) {
            // The name that failed may be the upstream's or (through a relay) the relay's: the transport names it.
            throw new TransferException("cannot resolve host name for " + endpoint(uri) + " over " + transport.name()
                    + ": " + e.getMessage(), false, e);
        } catch (IOException e) {
            throw ioFailure(uri, "cannot connect over " + transport.name(), e);
        }
    }

    private static Socket startTls(HttpSettings settings, Socket raw, URI uri, String host, int port)
            throws IOException {
        SSLSocket tls = (SSLSocket) settings.tlsSocketFactory().createSocket(raw, host, port, true);
        try {
            SSLParameters parameters = tls.getSSLParameters();
            // Never off: the certificate must name the host we meant, also when the bytes travel through a relay.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (!Urls.isIpLiteral(host)) {
                try {
                    parameters.setServerNames(List.of(new SNIHostName(host)));
                } catch (IllegalArgumentException e) {
                    // Not a name SNI can carry (e.g. an underscore in it): go without SNI; verification still applies.
                }
            }
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            tls.setSSLParameters(parameters);
            tls.setSoTimeout(settings.ioTimeoutMillis());
            tls.startHandshake();
            return tls;
        } catch (IOException | RuntimeException e) {
            closeQuietly(tls, e);
            Optional<ParcelException> decided = transportDecision(e);
            if (decided.isPresent()) {
                throw decided.get();
            }
            if (e instanceof SSLHandshakeException handshake) {
                boolean certificateProblem = hasCause(handshake, CertificateException.class);
                throw new TransferException("TLS handshake with " + endpoint(uri) + " failed: "
                        + (certificateProblem ? "the server certificate was not accepted (" + e.getMessage()
                        + "); for a private CA use --ca-file" : e.getMessage()), !certificateProblem, e);
            }
            throw e;
        }
    }

    /**
     * The {@link ParcelException} under a TLS failure, if any: the transport underneath already decided what its
     * failure means (a relay answers at the connection's first read, which is the handshake's, and its refusal is
     * final), and the TLS layer only wrapped it.
     */
    private static Optional<ParcelException> transportDecision(Throwable error) {
        for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof ParcelException decided) {
                return Optional.of(decided);
            }
        }
        return Optional.empty();
    }

    private static InputStream bodyOf(ResponseHead head, InputStream in) throws IOException {
        if (hasNoBody(head)) {
            return InputStream.nullInputStream();
        }
        if (head.headers().hasToken("Transfer-Encoding", "chunked")) {
            return new ChunkedInputStream(in);
        }
        Optional<String> length = head.headers().first("Content-Length");
        if (length.isPresent()) {
            return new FixedLengthInputStream(in, ContentRange.parseLength(length.get()));
        }
        // No length and not chunked: the body runs until the server closes the connection.
        return in;
    }

    private static boolean hasNoBody(ResponseHead head) {
        int status = head.status();
        return status == 204 || status == 304 || status < 200;
    }

    /** An I/O failure on the way: dropped connections, timeouts and resets are worth a retry. */
    static TransferException ioFailure(URI uri, String what, Throwable cause) {
        String detail = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return new TransferException(what + " (" + Urls.display(uri) + "): " + detail, true, cause);
    }

    private static String endpoint(URI uri) {
        return uri.getHost() + ":" + Urls.port(uri);
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(Socket socket, Throwable primary) {
        try {
            socket.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    public URI uri() {
        return uri;
    }

    public ResponseHead head() {
        return head;
    }

    /** The decoded body (chunked or fixed length), read from the connection as it arrives. */
    public InputStream body() {
        return body;
    }

    /** Whether this request went out on a connection an earlier request had used (for tests and logs). */
    public boolean reused() {
        return reused;
    }

    /**
     * Reads and drops the rest of a short body (at most {@code limit} bytes) so that the connection can carry the
     * next request; a body that is longer, of unknown length or fails to arrive is left, and {@link #close()} then
     * closes the connection. Call from the thread that reads the body.
     */
    public void discardShortBody(long limit) {
        if (!(body instanceof DelimitedBody delimited) || !head.keepAlive()) {
            return;
        }
        long remaining = delimited.remainingIfKnown();
        if (remaining < 0 || remaining > limit) {
            return;
        }
        try {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the connection will simply not be kept
        }
    }

    /**
     * Gives the connection back to the pool when the response was read to its end and the server keeps the
     * connection open; closes it otherwise. Idempotent; may be called from another thread to abort a read (the body
     * is then not at its end, so the connection is closed, which ends the read).
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // a response without a body by its status leaves the connection at the next response already
        boolean atEnd = body instanceof DelimitedBody delimited ? delimited.atEnd() : hasNoBody(head);
        if (head.keepAlive() && atEnd) {
            pool.give(origin, connection);
        } else {
            connection.close();
        }
    }
}
