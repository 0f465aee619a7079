package io.parcel.cli.perf;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.PluginOptions;
import io.parcel.spi.CommonOptions;
import io.parcel.spi.Options;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options {@code perf server} and {@code perf client} share, as a picocli {@code @Mixin}. */
final class PerfOptions {
    static final long DEFAULT_SEED = 1;

    @Mixin
    PluginOptions plugins = new PluginOptions();

    @Option(names = "--transport", paramLabel = "NAME", defaultValue = "tcp",
            description = "Transport plugin to measure (default: ${DEFAULT-VALUE}); 'parcel plugins' lists them.")
    String transport;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Transport option, repeatable (e.g. udt.cc=native, udt.mss=1500).")
    Map<String, String> transportOptions = new LinkedHashMap<>();

    @Option(names = {"-R", "--reverse"},
            description = "Reverse the direction: the server sends and the client receives.")
    boolean reverse;

    @Option(names = {"-n", "--bytes"}, paramLabel = "BYTES", converter = PerfConverters.ByteCount.class,
            description = "Send exactly BYTES of generated data (e.g. 256M, 1G).")
    Long bytes;

    @Option(names = "--time", paramLabel = "SECONDS", converter = PerfConverters.Seconds.class,
            description = "Send generated data for this long (e.g. 10, 2.5s, 1m).")
    Duration time;

    @Option(names = {"-F", "--file"}, paramLabel = "FILE", description = "Send the contents of FILE.")
    String file;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the generated data (default: ${DEFAULT-VALUE}); the C++ udt_peer makes the same bytes.")
    long seed;

    @Option(names = "--save", paramLabel = "FILE", description = "Write exactly what arrived to FILE (receiving side).")
    String save;

    @Option(names = "--expect-bytes", paramLabel = "BYTES", converter = PerfConverters.ByteCount.class,
            description = "Fail unless exactly BYTES arrive (receiving side).")
    Long expectBytes;

    @Option(names = "--end", paramLabel = "HOW", defaultValue = "auto",
            description = {"How the sender ends the stream: half-close (shut down output and wait for the receiver"
                    + " to close, so the time covers delivery), close (close after the last byte; the transport's"
                    + " linger delivers the rest), or auto (default): close for udt, whose UDT4 wire has no"
                    + " half-close (a reference-library peer reads until the close), half-close otherwise."})
    String end;

    @Option(names = "--no-hash",
            description = "Skip the SHA-256 (saves about 1 CPU second per GiB when measuring CPU cost on fast links).")
    boolean noHash;

    @Option(names = "--json", description = "Print one JSON object per connection instead of text.")
    boolean json;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = PerfConverters.Seconds.class,
            description = "Longest wait for a connection to open (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = PerfConverters.Seconds.class,
            description = "Longest stall of a read or write before the transfer fails (default: ${DEFAULT-VALUE}).")
    Duration ioTimeout;

    @Option(names = "--chunk", paramLabel = "BYTES", defaultValue = "128K", converter = PerfConverters.ByteCount.class,
            description = "Bytes per write or read call, at most 1M (default: ${DEFAULT-VALUE}).")
    long chunk;

    @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", defaultValue = "0",
            converter = PerfConverters.Seconds.class,
            description = "Print progress to standard error this often (default: never).")
    Duration interval;

    /** Checks the combination for a side that sends ({@code sends}) or receives; throws a usage error. */
    void validate(CommandSpec spec, CliEnvironment environment, boolean sends) {
        int sources = (bytes != null ? 1 : 0) + (time != null ? 1 : 0) + (file != null ? 1 : 0);
        String side = spec.name().equals("server") ? (sends ? "with --reverse the server" : "the server")
                : (sends ? "the client" : "with --reverse the client");
        if (sends && sources != 1) {
            throw new ParameterException(spec.commandLine(), side + " sends: give exactly one of --bytes, --time, --file");
        }
        if (!sends && sources != 0) {
            throw new ParameterException(spec.commandLine(), side + " receives: --bytes, --time and --file belong to"
                    + " the sending side" + (spec.name().equals("server") ? " (or add --reverse)" : " (drop --reverse)"));
        }
        if (sends && (save != null || expectBytes != null)) {
            throw new ParameterException(spec.commandLine(), side + " sends: --save and --expect-bytes belong to the"
                    + " receiving side");
        }
        if (file != null && !Files.isReadable(environment.resolve(file))) {
            throw new ParameterException(spec.commandLine(), "--file: cannot read " + environment.resolve(file));
        }
        if (chunk < 1 || chunk > PatternData.MAX_WINDOW) {
            throw new ParameterException(spec.commandLine(), "--chunk must be 1.." + PatternData.MAX_WINDOW
                    + " bytes, got " + chunk);
        }
        if (ioTimeout.isZero() || connectTimeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--timeout and --connect-timeout must be positive");
        }
        if (time != null && time.isZero()) {
            throw new ParameterException(spec.commandLine(), "--time must be positive");
        }
    }

    PerfTransfer.EndOfStream endOfStream(CommandSpec spec, String transportName) {
        return switch (end.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> transportName.equals("udt") ? PerfTransfer.EndOfStream.CLOSE
                    : PerfTransfer.EndOfStream.HALF_CLOSE;
            case "half-close" -> PerfTransfer.EndOfStream.HALF_CLOSE;
            case "close" -> PerfTransfer.EndOfStream.CLOSE;
            default -> throw new ParameterException(spec.commandLine(),
                    "--end must be auto, half-close or close, got '" + end + "'");
        };
    }

    DataSource dataSource(CliEnvironment environment) {
        if (file != null) {
            return new DataSource.FileData(environment.resolve(file));
        }
        if (time != null) {
            return new DataSource.PatternTime(seed, time);
        }
        return new DataSource.PatternBytes(seed, bytes);
    }

    Optional<Path> saveFile(CliEnvironment environment) {
        return Optional.ofNullable(save).map(environment::resolve);
    }

    OptionalLong expectedBytes() {
        return expectBytes == null ? OptionalLong.empty() : OptionalLong.of(expectBytes);
    }

    /** perf's own timeouts as the transport's common options, then every --option (which may override them). */
    Options transportOptions(Map<String, String> extra) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(CommonOptions.CONNECT_TIMEOUT.name(), connectTimeout.toMillis() + "ms");
        values.put(CommonOptions.IO_TIMEOUT.name(), ioTimeout.toMillis() + "ms");
        values.putAll(extra);
        values.putAll(transportOptions);
        return Options.of(values);
    }

    PerfTransfer transfer(PrintWriter progress) {
        return new PerfTransfer((int) chunk, !noHash, ioTimeout, interval, progress);
    }

    void print(PrintWriter out, PerfResult result) {
        if (json) {
            out.println(result.toJson());
        } else {
            out.print(result.toText());
        }
        out.flush();
    }
}
