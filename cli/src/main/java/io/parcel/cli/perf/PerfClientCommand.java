package io.parcel.cli.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.internal.BaseCommand;
import io.parcel.cli.internal.VersionProvider;
import io.parcel.kernel.Kernel;
import io.parcel.spi.ExitCode;
import io.parcel.spi.TransferException;
import io.parcel.spi.Transport;
import io.parcel.spi.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code parcel perf client}: connects (or meets its peer in rendezvous) and sends (or, with --reverse, receives). */
@Command(name = "client", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Connect to a perf server (or a rendezvous peer) and send to it (receive with --reverse).")
final class PerfClientCommand extends BaseCommand {
    /**
     * Transport option suffixes perf sets for {@code --rendezvous} and {@code --bind}, prefixed with the transport's
     * name (e.g. {@code udt.rendezvous}); a transport that knows no such option ignores it.
     */
    static final String RENDEZVOUS_OPTION = "rendezvous";
    static final String BIND_OPTION = "bind";

    @Mixin
    PerfOptions perf = new PerfOptions();

    @Option(names = {"-c", "--to"}, paramLabel = "HOST:PORT", required = true,
            description = "The server (or the rendezvous peer): HOST:PORT or [IPV6]:PORT.")
    String to;

    @Option(names = "--rendezvous",
            description = "Rendezvous: both sides bind (--bind) and connect to each other at the same time.")
    boolean rendezvous;

    @Option(names = {"-B", "--bind"}, paramLabel = "HOST:PORT",
            description = "Local address to connect from (required with --rendezvous).")
    String bind;

    @Spec
    CommandSpec spec;

    PerfClientCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    protected int execute() throws IOException, UsageException {
        boolean sends = !perf.reverse;
        perf.validate(spec, environment, sends);
        if (rendezvous && bind == null) {
            throw new ParameterException(spec.commandLine(), "--rendezvous needs --bind HOST:PORT (the peer's --to)");
        }
        InetSocketAddress remote = address(to, "--to");
        Map<String, String> connection = new LinkedHashMap<>();
        InetSocketAddress local = null;
        if (bind != null) {
            local = address(bind, "--bind");
            connection.put(perf.transport + "." + BIND_OPTION, bind);
        }
        if (rendezvous) {
            connection.put(perf.transport + "." + RENDEZVOUS_OPTION, "true");
        }
        PerfTransfer.EndOfStream end = perf.endOfStream(spec, perf.transport);
        PerfTransfer transfer = perf.transfer(environment.err());
        DataSource source = sends ? transfer.prepare(perf.dataSource(environment)) : null;
        try (Kernel kernel = perf.plugins.startKernel(environment);
             Transport transport = kernel.openTransport(perf.transport, perf.transportOptions(connection));
             Socket socket = connect(transport, remote)) {
            if (local != null && local.getPort() != 0 && socket.getLocalPort() != local.getPort()) {
                throw new TransferException("transport '" + transport.name() + "' ignored --bind " + bind
                        + " (option " + perf.transport + "." + BIND_OPTION + "): connected from local port "
                        + socket.getLocalPort(), false);
            }
            PerfTransfer.Labels labels = new PerfTransfer.Labels("client", transport.name(),
                    rendezvous ? "rendezvous" : "client-server", PerfConverters.format(socket.getRemoteSocketAddress()));
            PerfResult result = sends
                    ? transfer.send(socket, source, end, labels)
                    : transfer.receive(socket, perf.saveFile(environment), perf.expectedBytes(), labels);
            perf.print(environment.out(), result);
            if (!result.ok()) {
                environment.err().println("parcel: perf: " + result.error().orElseThrow());
                environment.err().flush();
                return ExitCode.FAILURE.code();
            }
            return ExitCode.SUCCESS.code();
        }
    }

    private Socket connect(Transport transport, InetSocketAddress remote) throws IOException {
        try {
            return transport.connect(remote, perf.connectTimeout);
        } catch (SocketTimeoutException e) {
            // The usual causes, named. Over UDP (UDT, QUIC) nothing refuses a connection to a port where nobody
            // listens: the client hears silence until its timeout. In rendezvous, a peer that is not running, or a
            // transport that knows no rendezvous.
            String cause = rendezvous
                    ? "rendezvous with " + to + " from " + bind + " failed: " + e.getMessage() + " (is the peer"
                            + " connecting to " + bind + ", and does transport '" + transport.name() + "' honour the"
                            + " options " + perf.transport + "." + RENDEZVOUS_OPTION + " and " + perf.transport + "."
                            + BIND_OPTION + "?)"
                    : "no connection to " + to + " over " + transport.name() + ": " + e.getMessage() + " (is 'parcel"
                            + " perf server --transport " + perf.transport + "' listening there?)";
            SocketTimeoutException explained = new SocketTimeoutException(cause);
            explained.initCause(e);
            throw explained;
        }
    }

    private InetSocketAddress address(String text, String option) {
        try {
            return PerfConverters.address(text, option);
        } catch (UsageException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
