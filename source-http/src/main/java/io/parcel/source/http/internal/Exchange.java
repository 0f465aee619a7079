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
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One GET request and its response on a connection of its own, opened through the {@link Transport} (TLS layered
 * on top for https). The exchange owns the connection: {@link #close()} closes it, also when the body was not read.
 */
public final class Exchange implements Closeable {
    /** Read buffer between the socket and the parsers: big enough for bulk reads, small per connection. */
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final URI uri;
    private final Socket socket;
    private final ResponseHead head;
    private final InputStream body;

    private Exchange(URI uri, Socket socket, ResponseHead head, InputStream body) {
        this.uri = uri;
        this.socket = socket;
        this.head = head;
        this.body = body;
    }

    /**
     * Sends {@code GET uri} with {@code fields} (and the token, when {@code token} is present) and reads the
     * response head. Failures come back as {@link TransferException}s that say whether a retry may help.
     */
    public static Exchange execute(Transport transport, HttpSettings settings, URI uri, List<HeaderField> fields,
                                   Optional<AuthToken> token) throws IOException {
        requireNonNull(transport, "transport is null");
        requireNonNull(settings, "settings is null");
        requireNonNull(uri, "uri is null");
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
            HttpWire.writeRequest(socket.getOutputStream(),
                    HttpWire.requestHead(uri, settings.userAgent(), fields, token));
            InputStream in = new BufferedInputStream(socket.getInputStream(), READ_BUFFER_BYTES);
            ResponseHead head = HttpWire.readResponseHead(in);
            return new Exchange(uri, socket, head, bodyOf(head, in));
        } catch (ParcelException | RuntimeException e) {
            closeQuietly(socket, e);
            throw e;
        } catch (IOException e) {
            closeQuietly(socket, e);
            throw ioFailure(uri, "request failed", e);
        }
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
        } catch (SSLHandshakeException e) {
            closeQuietly(tls, e);
            boolean certificateProblem = hasCause(e, CertificateException.class);
            throw new TransferException("TLS handshake with " + endpoint(uri) + " failed: "
                    + (certificateProblem ? "the server certificate was not accepted (" + e.getMessage()
                    + "); for a private CA use --ca-file" : e.getMessage()), !certificateProblem, e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(tls, e);
            throw e;
        }
    }

    private static InputStream bodyOf(ResponseHead head, InputStream in) throws IOException {
        int status = head.status();
        if (status == 204 || status == 304 || status < 200) {
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

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
