package io.parcel.kernel.relay;

import io.parcel.spi.HostLookup;
import io.parcel.spi.Options;
import io.parcel.spi.TransferException;
import io.parcel.spi.Transport;
import io.parcel.spi.UsageException;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The client side of {@code --via}: every {@link #connect} goes to the relay over the inner transport (optionally
 * with TLS to the relay), names the target in the {@link RelayPreamble} and returns a socket that is a plain byte
 * pipe to the target once the relay's answer, checked at its first read, is OK. Whatever runs on top (HTTPS with
 * the real host name and full verification) runs end to end; the relay sees its bytes only.
 *
 * <p>The target's host name travels as given and is never resolved here: pass
 * {@link InetSocketAddress#createUnresolved} and the relay resolves it. This transport owns the inner transport and
 * closes it with itself. Thread-safe, like every transport.
 */
public final class RelayTransport implements Transport {
    private final Transport inner;
    private final HostPort relay;
    private final Optional<RelayToken> token;
    private final Optional<SSLContext> tls;
    private final boolean verifyRelayName;

    private RelayTransport(Transport inner, HostPort relay, Optional<RelayToken> token, Optional<SSLContext> tls,
                           boolean verifyRelayName) {
        this.inner = requireNonNull(inner, "inner is null");
        this.relay = requireNonNull(relay, "relay is null");
        this.token = requireNonNull(token, "token is null");
        this.tls = requireNonNull(tls, "tls is null");
        this.verifyRelayName = verifyRelayName;
    }

    /**
     * {@code inner} itself when {@code options} has no {@link RelayOptions#VIA}, else a relay transport over it that
     * owns it. On a usage error {@code inner} stays the caller's to close.
     *
     * @throws UsageException when a relay option is invalid: a bad address, an unreadable token or CA file, a
     *                        malformed pin, both a CA file and a pin, or a token or pin without {@code via}
     */
    public static Transport wrap(Transport inner, Options options) throws UsageException {
        requireNonNull(inner, "inner is null");
        requireNonNull(options, "options is null");
        HostPort via = options.get(RelayOptions.VIA);
        if (via == null) {
            for (var key : List.of(RelayOptions.VIA_TOKEN_FILE, RelayOptions.VIA_CA_FILE, RelayOptions.VIA_PIN)) {
                if (options.contains(key)) {
                    throw new UsageException("option '" + key + "' needs '" + RelayOptions.VIA + "' (the relay to use)");
                }
            }
            return inner;
        }
        Path tokenFile = options.get(RelayOptions.VIA_TOKEN_FILE);
        Optional<RelayToken> token = tokenFile == null ? Optional.empty()
                : Optional.of(RelayToken.read(tokenFile, RelayOptions.VIA_TOKEN_FILE.name()));
        Path caFile = options.get(RelayOptions.VIA_CA_FILE);
        String pin = options.get(RelayOptions.VIA_PIN);
        if (caFile != null && pin != null) {
            throw new UsageException("give either '" + RelayOptions.VIA_CA_FILE + "' or '" + RelayOptions.VIA_PIN
                    + "', not both");
        }
        Optional<SSLContext> tls = Optional.empty();
        if (caFile != null) {
            tls = Optional.of(RelayTls.clientContext(caFile));
        } else if (pin != null) {
            tls = Optional.of(RelayTls.pinnedContext(RelayTls.parsePin(pin)));
        }
        return new RelayTransport(inner, via, token, tls, caFile != null);
    }

    @Override
    public String name() {
        return inner.name();
    }

    /** The relay every connection goes through. */
    public HostPort relay() {
        return relay;
    }

    /**
     * Connects to {@code target} through the relay: reaching the relay and TLS to it happen within {@code timeout};
     * the request line is sent and the socket returned at once, without waiting for the relay's answer, so that the
     * caller's first bytes follow the request line in the same round trip (on a long path the answer would cost one
     * round trip per connection). The answer is read at the socket's first read: a refusal is thrown there.
     *
     * @throws TransferException       when TLS to the relay fails (a wrong pin is not retryable); at the first read,
     *                                 when the relay refuses (not retryable: the reason says why, e.g. not in its allow
     *                                 list or a wrong token) or cannot reach the target (retryable)
     * @throws TransferException       (retryable) when the relay does not accept within {@code timeout}
     * @throws SocketTimeoutException at the first read, when the relay's answer does not come within the socket's
     *                                 read timeout
     */
    @Override
    public Socket connect(InetSocketAddress target, Duration timeout) throws IOException {
        requireNonNull(target, "target is null");
        requireNonNull(timeout, "timeout is null");
        HostPort name = HostPort.of(target);
        long deadline = System.nanoTime() + timeout.toNanos();
        Socket raw = connectToRelay(timeout);
        Socket socket = raw;
        try {
            int ioTimeout = raw.getSoTimeout();
            if (tls.isPresent()) {
                socket = startTls(raw, deadline);
            }
            OutputStream out = socket.getOutputStream();
            out.write(RelayPreamble.encodeRequest(name, token.map(RelayToken::value)));
            out.flush();
            socket.setSoTimeout(ioTimeout);
            return new RelayedSocket(socket, (relayed, replyDeadline) -> checkReply(relayed, name, replyDeadline),
                    timeout.toNanos());
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket, e);
            closeQuietly(raw, e);
            throw e;
        }
    }

    /** Reads the relay's answer for {@code name} and returns when it is OK. */
    private void checkReply(Socket socket, HostPort name, long deadline) throws IOException {
        RelayPreamble.Reply reply = readReply(socket, name, deadline);
        switch (reply.status()) {
            case OK -> {
            }
            case REFUSED -> throw new TransferException("relay " + relay + " refused " + name + ": "
                    + reply.reason(), false);
            case UNAVAILABLE -> throw new TransferException("relay " + relay + " cannot reach " + name + ": "
                    + reply.reason(), true);
            default -> throw new IllegalStateException("unknown reply " + reply.status());
        }
    }

    /**
     * The inner transport's exception types (they decide retries) with messages that name the relay; a timeout is a
     * retryable {@link TransferException}, so that the source does not reword it as the upstream's.
     */
    private Socket connectToRelay(Duration timeout) throws IOException {
        // The lookup of the relay's name counts against the same timeout as the connect.
        long deadline = System.nanoTime() + timeout.toNanos();
        InetSocketAddress address;
        try {
            address = relay.resolve(HostLookup.system(), timeout);
        } catch (UnknownHostException e) {
            throw withCause(new UnknownHostException("cannot resolve the relay's host name " + relay.host()), e);
        }
        Duration remaining = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
        try {
            return inner.connect(address, remaining);
        } catch (ConnectException e) {
            throw withCause(new ConnectException("relay " + relay + " refused the connection over " + inner.name()
                    + " (is 'parcel serve' running there?): " + e.getMessage()), e);
        } catch (SocketTimeoutException e) {
            // A transfer failure the source passes on as it is: its own words for a timeout named only the upstream,
            // and a user whose relay was not running read that the upstream did not answer. Over UDP (UDT) a missing
            // relay is never refused, only silent, so this is what it looks like.
            throw new TransferException("relay " + relay + " did not accept within " + timeout.toMillis() + " ms over "
                    + inner.name() + " (is 'parcel serve' running there and reachable?)", true, e);
        }
    }

    private static <T extends IOException> T withCause(T exception, Throwable cause) {
        exception.initCause(cause);
        return exception;
    }

    private Socket startTls(Socket raw, long deadline) throws IOException {
        SSLSocket socket = (SSLSocket) tls.orElseThrow().getSocketFactory()
                .createSocket(raw, relay.host(), relay.port(), true);
        SSLParameters parameters = socket.getSSLParameters();
        if (verifyRelayName) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (!relay.isIpv6() && !relay.host().matches("[0-9.]+")) {
                parameters.setServerNames(List.of(new SNIHostName(relay.host())));
            }
        }
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(remainingMillis(deadline));
        try {
            socket.startHandshake();
        } catch (SSLHandshakeException e) {
            closeQuietly(socket, e);
            boolean certificate = hasCause(e, CertificateException.class);
            throw new TransferException("TLS to relay " + relay + " failed: " + e.getMessage()
                    + (certificate ? "" : " (is TLS on at the relay? it needs --tls-cert and --tls-key)"),
                    !certificate, e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket, e);
            throw e;
        }
        return socket;
    }

    private RelayPreamble.Reply readReply(Socket socket, HostPort name, long deadline) throws IOException {
        try {
            return RelayPreamble.parseReply(RelayPreamble.readLine(socket, deadline, System::nanoTime));
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("relay " + relay + " did not answer for " + name + " in time");
        } catch (EOFException e) {
            throw new EOFException("relay " + relay + " closed the connection without answering for " + name
                    + (tls.isEmpty() ? " (if it runs with TLS, use --via-ca-file or --via-pin)" : ""));
        } catch (ProtocolException e) {
            throw new TransferException("relay " + relay + " answered with something else than the relay protocol: "
                    + e.getMessage() + (tls.isEmpty() ? " (if it runs with TLS, use --via-ca-file or --via-pin)" : ""),
                    false, e);
        }
    }

    /** Relays carry outgoing connections only; {@code parcel serve} is the listening side. */
    @Override
    public ServerSocket listen(InetSocketAddress local, int backlog) {
        throw new UnsupportedOperationException("a relay transport cannot listen; run 'parcel serve' on the far side");
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return "RelayTransport[" + inner.name() + " via " + relay + (tls.isPresent() ? ", tls" : "")
                + (token.isPresent() ? ", token" : "") + "]";
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (millis <= 0) {
            throw new SocketTimeoutException("relay connection not established in time");
        }
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    static void closeQuietly(Socket socket, Throwable primary) {
        try {
            socket.close();
        } catch (IOException e) {
            if (primary != e) {
                primary.addSuppressed(e);
            }
        }
    }
}
