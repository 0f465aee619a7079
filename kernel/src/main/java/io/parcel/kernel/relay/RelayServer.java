package io.parcel.kernel.relay;

import io.parcel.spi.HostLookup;
import io.parcel.spi.Transport;

import javax.net.ssl.SSLSocket;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static java.lang.System.Logger.Level.INFO;
import static java.util.Objects.requireNonNull;

/**
 * {@code parcel serve}: accepts relay clients on a transport (UDT in production), checks each one's preamble (token,
 * allow list), connects it to its upstream over plain TCP and pumps bytes both ways. TLS between client and upstream
 * is never terminated here: the relay passes ciphertext through. Anything not allowed is refused with a one-line
 * reason, logged and sent back to the client.
 *
 * <p>Owns its listener and every connection; {@link #close()} stops accepting and closes them all, bounded by
 * {@link PumpSettings#closeTimeout()}. The transport stays the caller's.
 */
public final class RelayServer implements AutoCloseable {
    private static final String NAME = "serve";

    private final RelayServerConfig config;
    private final System.Logger logger;
    private final LongSupplier nanoTime;
    private final HostLookup lookup;
    private final PumpGroup group;
    private final AcceptLoop acceptLoop;
    private final InetSocketAddress localAddress;

    private RelayServer(RelayServerConfig config, ServerSocket listener, System.Logger logger, LongSupplier nanoTime,
                        HostLookup lookup) {
        this.config = config;
        this.lookup = lookup;
        this.logger = logger;
        this.nanoTime = nanoTime;
        this.group = new PumpGroup(NAME, config.pump(), logger, nanoTime);
        this.localAddress = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
        this.acceptLoop = new AcceptLoop(NAME, listener, group, this::open, logger);
    }

    /** Listens on {@code transport} at {@code config.listen()} and starts accepting. */
    public static RelayServer start(Transport transport, RelayServerConfig config, System.Logger logger)
            throws IOException {
        return start(transport, config, logger, HostLookup.system());
    }

    /** As {@link #start(Transport, RelayServerConfig, System.Logger)}, with upstream names resolved by {@code lookup}. */
    static RelayServer start(Transport transport, RelayServerConfig config, System.Logger logger, HostLookup lookup)
            throws IOException {
        requireNonNull(lookup, "lookup is null");
        requireNonNull(transport, "transport is null");
        requireNonNull(config, "config is null");
        requireNonNull(logger, "logger is null");
        ServerSocket listener = transport.listen(config.listen(), config.backlog());
        RelayServer server;
        try {
            server = new RelayServer(config, listener, logger, System::nanoTime, lookup);
            server.acceptLoop.start();
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        logger.log(INFO, NAME + ": listening on " + PumpGroup.format(server.localAddress) + " over "
                + transport.name() + (config.tls().isPresent() ? " with TLS" : "")
                + (config.token().isPresent() ? ", token required" : "") + "; upstreams " + config.allowList());
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

    private PumpGroup.Spliced open(PumpGroup.Link link) throws IOException {
        long deadline = nanoTime.getAsLong() + config.handshakeTimeout().toNanos();
        Socket client = link.accepted();
        if (config.tls().isPresent()) {
            client = startTls(link, client, deadline);
        }
        RelayPreamble.Request request;
        try {
            request = RelayPreamble.parseRequest(RelayPreamble.readLine(client, deadline, nanoTime));
        } catch (ProtocolException e) {
            throw refuse(client, RelayPreamble.Status.REFUSED, "bad preamble: " + e.getMessage());
        } catch (SocketTimeoutException e) {
            throw refuse(client, RelayPreamble.Status.REFUSED, "no complete preamble within "
                    + config.handshakeTimeout().toMillis() + " ms");
        } catch (EOFException e) {
            throw new PumpGroup.Refusal(e.getMessage());
        }
        HostPort target = request.target();
        link.target(target.toString());
        if (config.token().isPresent()) {
            if (request.token().isEmpty()) {
                throw refuse(client, RelayPreamble.Status.REFUSED, "an admission token is required");
            }
            if (!config.token().get().matches(request.token().get())) {
                throw refuse(client, RelayPreamble.Status.REFUSED, "wrong admission token");
            }
        }
        if (!config.allowList().allows(target)) {
            throw refuse(client, RelayPreamble.Status.REFUSED, target + " is not in the allow list");
        }
        Socket upstream;
        try {
            upstream = PlainTcp.connect(target, config.pump().connectTimeout(), link, lookup);
        } catch (PumpGroup.Refusal e) {
            throw e;
        } catch (IOException e) {
            throw refuse(client, RelayPreamble.Status.UNAVAILABLE, "upstream " + target + " unreachable: "
                    + PumpGroup.describe(e));
        }
        reply(client, RelayPreamble.Status.OK, "");
        return new PumpGroup.Spliced(client, upstream, target.toString());
    }

    private Socket startTls(PumpGroup.Link link, Socket accepted, long deadline) throws IOException {
        SSLSocket tls = (SSLSocket) config.tls().orElseThrow().getSocketFactory()
                .createSocket(accepted, null, accepted.getPort(), true);
        link.own(tls);
        tls.setUseClientMode(false);
        long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - nanoTime.getAsLong());
        tls.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, remaining)));
        try {
            tls.startHandshake();
        } catch (IOException e) {
            throw new PumpGroup.Refusal("TLS handshake failed: " + PumpGroup.describe(e));
        }
        return tls;
    }

    /** Tells the client why (best effort) and returns the refusal to throw, which the pump logs. */
    private PumpGroup.Refusal refuse(Socket client, RelayPreamble.Status status, String reason) {
        try {
            reply(client, status, reason);
        } catch (IOException e) {
            // The client may already be gone; the refusal is logged either way.
        }
        return new PumpGroup.Refusal(reason);
    }

    private static void reply(Socket client, RelayPreamble.Status status, String reason) throws IOException {
        OutputStream out = client.getOutputStream();
        out.write(RelayPreamble.encodeReply(status, reason));
        out.flush();
    }

    @Override
    public String toString() {
        return "RelayServer[" + PumpGroup.format(localAddress) + ", " + config + "]";
    }
}
