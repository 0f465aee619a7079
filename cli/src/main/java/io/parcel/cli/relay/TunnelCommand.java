package io.parcel.cli.relay;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.internal.VersionProvider;
import io.parcel.kernel.relay.HostPort;
import io.parcel.kernel.relay.TunnelServer;
import io.parcel.spi.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;

/** {@code parcel tunnel}: raw TCP-over-UDT tunnels, one connection onward per connection accepted. */
@Command(name = "tunnel", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Carry any TCP traffic over UDT: tcp2udt on the client side, udt2tcp on the server side.",
        subcommands = {TunnelCommand.TcpToUdt.class, TunnelCommand.UdtToTcp.class})
public final class TunnelCommand implements Callable<Integer> {
    private static final int BACKLOG = 256;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return io.parcel.spi.ExitCode.USAGE.code();
    }

    /** The options both directions share. */
    static final class Endpoints {
        @Option(names = {"-l", "--listen"}, paramLabel = "[HOST:]PORT", required = true,
                converter = RelayConverters.Listen.class,
                description = "Address to accept on: PORT (all addresses), HOST:PORT, [IPV6]:PORT.")
        InetSocketAddress listen;

        @Option(names = {"-t", "--to"}, paramLabel = "HOST:PORT", required = true,
                converter = RelayConverters.Target.class,
                description = "Where every accepted connection goes on to, and nowhere else.")
        HostPort to;
    }

    /** {@code parcel tunnel tcp2udt}: accepts TCP, goes on over the transport. */
    @Command(name = "tcp2udt", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Accept TCP on --listen; carry each connection over --transport (udt) to --to.")
    public static final class TcpToUdt extends RelayCommand {
        @Mixin
        Endpoints endpoints = new Endpoints();

        @Mixin
        PumpOptions pump = new PumpOptions();

        public TcpToUdt(CliEnvironment environment) {
            super(environment);
        }

        TcpToUdt(CliEnvironment environment, RelayContext context) {
            super(environment, context);
        }

        @Override
        int run(RelayContext context) throws Exception {
            PrintWriter err = environment.err();
            try (Transport transport = context.transports().openTransport(pump.transport, pump.transportOptions());
                 TunnelServer server = TunnelServer.tcpToTransport(endpoints.listen, transport, endpoints.to, BACKLOG,
                         pump.settings(), context.logger())) {
                err.println("parcel tunnel tcp2udt: listening on " + ServeCommand.format(server.localAddress())
                        + " over TCP; every connection goes over " + transport.name() + " to " + endpoints.to);
                err.flush();
                return UntilStopped.run("tunnel tcp2udt", server, server::statistics, pump.statusInterval, context, err);
            }
        }
    }

    /** {@code parcel tunnel udt2tcp}: accepts on the transport, goes on over TCP to one fixed address. */
    @Command(name = "udt2tcp", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Accept on --listen over --transport (udt); carry each connection over TCP to --to only.")
    public static final class UdtToTcp extends RelayCommand {
        @Mixin
        Endpoints endpoints = new Endpoints();

        @Mixin
        PumpOptions pump = new PumpOptions();

        public UdtToTcp(CliEnvironment environment) {
            super(environment);
        }

        UdtToTcp(CliEnvironment environment, RelayContext context) {
            super(environment, context);
        }

        @Override
        int run(RelayContext context) throws Exception {
            PrintWriter err = environment.err();
            try (Transport transport = context.transports().openTransport(pump.transport, pump.transportOptions());
                 TunnelServer server = TunnelServer.transportToTcp(transport, endpoints.listen, endpoints.to, BACKLOG,
                         pump.settings(), context.logger())) {
                err.println("parcel tunnel udt2tcp: listening on " + ServeCommand.format(server.localAddress())
                        + " over " + transport.name() + "; every connection goes over TCP to " + endpoints.to);
                err.flush();
                return UntilStopped.run("tunnel udt2tcp", server, server::statistics, pump.statusInterval, context, err);
            }
        }
    }
}
