package io.parcel.cli.perf;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.internal.VersionProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import static java.util.Objects.requireNonNull;

/**
 * {@code parcel perf}: iperf for every transport. A server and a client move generated data (or a file) memory to
 * memory and report goodput, time, bytes, the SHA-256 of what was sent or received, the process's CPU time and what
 * the transport tells about the connection. The stream is plain bytes with no preamble, so any peer of the same
 * transport (the reference UDT library's programs included) can be the other side.
 */
@Command(name = "perf", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {PerfServerCommand.class, PerfClientCommand.class},
        description = {"Measure a transport between two hosts (iperf for every transport).", "",
            "  parcel perf server --transport udt --listen 0.0.0.0:9000 --once",
            "  parcel perf client --transport udt --to HOST:9000 --time 10", "",
            "By default the client sends and the server receives; --reverse swaps them. Rendezvous (both sides",
            "connect to each other, no server): run 'perf client --rendezvous --bind LOCAL --to REMOTE' on both",
            "sides, one of them with --reverse."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every transfer completed",
            "1:a connection or transfer failed (timeout, reset, fewer bytes than --expect-bytes)",
            "2:usage error (bad option, unknown transport)",
        })
public final class PerfCommand implements Runnable {
    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    public PerfCommand(CliEnvironment environment) {
        this.environment = requireNonNull(environment, "environment is null");
    }

    @Override
    public void run() {
        spec.commandLine().usage(environment.err());
        throw new ParameterException(spec.commandLine(), "missing command: 'perf server' or 'perf client'");
    }
}
