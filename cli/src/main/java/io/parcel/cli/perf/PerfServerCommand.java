package io.parcel.cli.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.internal.BaseCommand;
import io.parcel.cli.internal.VersionProvider;
import io.parcel.kernel.Kernel;
import io.parcel.spi.ExitCode;
import io.parcel.spi.Transport;
import io.parcel.spi.TransferException;
import io.parcel.spi.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code parcel perf server}: accepts connections one after another and receives (or, with --reverse, sends). */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Accept perf connections one at a time; receive from each (send with --reverse).")
final class PerfServerCommand extends BaseCommand {
    private static final int BACKLOG = 16;
    private static final Duration ONCE_ACCEPT_TIMEOUT = Duration.ofMinutes(5);

    @Mixin
    PerfOptions perf = new PerfOptions();

    @Option(names = {"-l", "--listen"}, paramLabel = "HOST:PORT", required = true,
            description = "Local address to listen on: HOST:PORT, [IPV6]:PORT or PORT (all addresses).")
    String listen;

    @Option(names = {"-1", "--once"}, description = "Exit after one connection, with its result as the exit code.")
    boolean once;

    @Option(names = "--accept-timeout", paramLabel = "DURATION", converter = PerfConverters.Seconds.class,
            description = "Longest wait for a connection (default: 5 minutes with --once, otherwise no limit).")
    Duration acceptTimeout;

    @Spec
    CommandSpec spec;

    PerfServerCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    protected int execute() throws IOException, UsageException {
        boolean sends = perf.reverse;
        perf.validate(spec, environment, sends);
        InetSocketAddress local = address(listen, "--listen");
        Duration waitForConnection = acceptTimeout != null ? acceptTimeout : once ? ONCE_ACCEPT_TIMEOUT : Duration.ZERO;
        PerfTransfer.EndOfStream end = perf.endOfStream(spec, perf.transport);
        PerfTransfer transfer = perf.transfer(environment.err());
        DataSource source = sends ? transfer.prepare(perf.dataSource(environment)) : null;
        try (Kernel kernel = perf.plugins.startKernel(environment);
             Transport transport = kernel.openTransport(perf.transport, perf.transportOptions(Map.of()));
             ServerSocket server = transport.listen(local, BACKLOG)) {
            server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, waitForConnection.toMillis()));
            environment.err().println("perf: " + transport.name() + " server listening on "
                    + PerfConverters.format(server.getLocalSocketAddress()));
            environment.err().flush();
            int exitCode = ExitCode.SUCCESS.code();
            do {
                Socket accepted;
                try {
                    accepted = server.accept();
                } catch (SocketTimeoutException e) {
                    throw new TransferException("no connection within " + waitForConnection.toMillis() / 1000.0 + " s", false, e);
                }
                try (Socket socket = accepted) {
                    PerfTransfer.Labels labels = new PerfTransfer.Labels("server", transport.name(), "client-server",
                            PerfConverters.format(socket.getRemoteSocketAddress()));
                    PerfResult result = sends
                            ? transfer.send(socket, source, end, labels)
                            : transfer.receive(socket, perf.saveFile(environment), perf.expectedBytes(), labels);
                    perf.print(environment.out(), result);
                    if (!result.ok()) {
                        environment.err().println("parcel: perf: " + result.error().orElseThrow());
                        environment.err().flush();
                        exitCode = ExitCode.FAILURE.code();
                    }
                }
            } while (!once);
            return exitCode;
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
