package io.parcel.kernel.relay;

import io.parcel.spi.UsageException;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@code parcel serve} runs with.
 *
 * @param listen           where to listen, on the chosen transport
 * @param allowList        the only upstreams clients may reach
 * @param token            when present, clients must present it
 * @param tls              when present, clients talk TLS to the relay (the relay's certificate and key)
 * @param handshakeTimeout longest a client may take for TLS and its preamble together
 * @param backlog          listen backlog
 * @param pump             idle timeout, connection limit, buffers
 */
public record RelayServerConfig(InetSocketAddress listen, AllowList allowList, Optional<RelayToken> token,
                                Optional<SSLContext> tls, Duration handshakeTimeout, int backlog, PumpSettings pump) {
    public static final int DEFAULT_BACKLOG = 256;

    public RelayServerConfig {
        requireNonNull(listen, "listen is null");
        requireNonNull(allowList, "allowList is null");
        requireNonNull(token, "token is null");
        requireNonNull(tls, "tls is null");
        requireNonNull(handshakeTimeout, "handshakeTimeout is null");
        requireNonNull(pump, "pump is null");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive: " + handshakeTimeout);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1: " + backlog);
        }
    }

    /** No token, no TLS, default timeouts and limits. */
    public static RelayServerConfig of(InetSocketAddress listen, AllowList allowList) {
        return new RelayServerConfig(listen, allowList, Optional.empty(), Optional.empty(),
                RelayPreamble.DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_BACKLOG, PumpSettings.defaults());
    }

    /** With the token in {@code tokenFile} required from every client. */
    public RelayServerConfig withTokenFile(Path tokenFile) throws UsageException {
        return withToken(RelayToken.read(tokenFile, "--token-file"));
    }

    public RelayServerConfig withToken(RelayToken value) {
        return new RelayServerConfig(listen, allowList, Optional.of(value), tls, handshakeTimeout, backlog, pump);
    }

    /**
     * With TLS on the client link, from a PEM certificate chain and an unencrypted PKCS#8 PEM key (RSA or EC).
     *
     * @throws UsageException naming the file when either cannot be read or used, or the key is not the certificate's
     */
    public RelayServerConfig withTls(Path certificateFile, Path keyFile) throws UsageException {
        return withTls(RelayTls.serverContext(certificateFile, keyFile));
    }

    public RelayServerConfig withTls(SSLContext context) {
        return new RelayServerConfig(listen, allowList, token, Optional.of(context), handshakeTimeout, backlog, pump);
    }

    public RelayServerConfig withHandshakeTimeout(Duration value) {
        return new RelayServerConfig(listen, allowList, token, tls, value, backlog, pump);
    }

    public RelayServerConfig withPump(PumpSettings value) {
        return new RelayServerConfig(listen, allowList, token, tls, handshakeTimeout, backlog, value);
    }

    @Override
    public String toString() {
        return "RelayServerConfig[listen=" + listen + ", allow=" + allowList + ", token=" + token.isPresent()
                + ", tls=" + tls.isPresent() + ", handshakeTimeout=" + handshakeTimeout + ", backlog=" + backlog
                + ", " + pump + "]";
    }
}
