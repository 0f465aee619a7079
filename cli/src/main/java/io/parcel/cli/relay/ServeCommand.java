package io.parcel.cli.relay;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.internal.VersionProvider;
import io.parcel.kernel.relay.AllowList;
import io.parcel.kernel.relay.RelayServer;
import io.parcel.kernel.relay.RelayServerConfig;
import io.parcel.spi.Transport;
import io.parcel.spi.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code parcel serve}: the relay near the data that {@code parcel download --via} connects through. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Relay Parcel clients' connections (parcel download --via) to the allowed upstreams only.",
                "HTTPS stays end to end: the relay passes ciphertext through and never sees the data or tokens."})
public final class ServeCommand extends RelayCommand {
    @Option(names = {"-l", "--listen"}, paramLabel = "[HOST:]PORT", required = true,
            converter = RelayConverters.Listen.class,
            description = "Address to accept clients on, over --transport: PORT (all addresses), HOST:PORT, [IPV6]:PORT.")
    InetSocketAddress listen;

    @Option(names = {"-u", "--upstream"}, paramLabel = "URL", required = true, arity = "1..*",
            description = "Upstream the relay may connect to (host and port of the URL; http 80, https 443 by "
                    + "default); repeatable. Everything else is refused.")
    List<String> upstreams;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Admit only clients that present the token in FILE (their --via-token-file).")
    Path tokenFile;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain for TLS on the client link (with --tls-key).")
    Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "Unencrypted PKCS#8 PEM key (RSA or EC) of --tls-cert.")
    Path tlsKey;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = RelayConverters.Seconds.class,
            description = "Longest a client may take for TLS and its request (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Mixin
    PumpOptions pump = new PumpOptions();

    public ServeCommand(CliEnvironment environment) {
        super(environment);
    }

    ServeCommand(CliEnvironment environment, RelayContext context) {
        super(environment, context);
    }

    @Override
    int run(RelayContext context) throws Exception {
        RelayServerConfig config = config();
        PrintWriter err = environment.err();
        try (Transport transport = context.transports().openTransport(pump.transport, pump.transportOptions());
             RelayServer server = RelayServer.start(transport, config, context.logger())) {
            err.println("parcel serve: listening on " + format(server.localAddress()) + " over " + transport.name()
                    + (config.tls().isPresent() ? " with TLS" : "") + (config.token().isPresent() ? ", token required" : "")
                    + "; upstreams " + config.allowList());
            err.flush();
            return UntilStopped.run("serve", server, server::statistics, pump.statusInterval, context, err);
        }
    }

    RelayServerConfig config() throws UsageException {
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new UsageException("--tls-cert and --tls-key go together: give both or neither");
        }
        RelayServerConfig config = RelayServerConfig.of(listen, AllowList.fromUrls(upstreams)).withPump(pump.settings());
        try {
            config = config.withHandshakeTimeout(handshakeTimeout);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--handshake-timeout: " + e.getMessage(), e);
        }
        if (tokenFile != null) {
            config = config.withTokenFile(tokenFile);
        }
        if (tlsCertificate != null) {
            config = config.withTls(tlsCertificate, tlsKey);
        }
        return config;
    }

    static String format(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
