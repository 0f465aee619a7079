package io.parcel.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.PluginOptions;
import io.parcel.cli.internal.demo.DemoData;
import io.parcel.cli.internal.demo.DemoServer;
import io.parcel.cli.internal.progress.Format;
import io.parcel.cli.internal.progress.ProgressMode;
import io.parcel.cli.internal.progress.ProgressView;
import io.parcel.kernel.DownloadItem;
import io.parcel.kernel.DownloadOptions;
import io.parcel.kernel.DownloadReport;
import io.parcel.kernel.DownloadRequest;
import io.parcel.kernel.FileState;
import io.parcel.kernel.FileStatus;
import io.parcel.kernel.Kernel;
import io.parcel.spi.ExitCode;
import io.parcel.spi.OptionKey;
import io.parcel.spi.Options;
import io.parcel.spi.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code parcel demo}: a real transfer to watch with nothing to set up. An embedded HTTP server on 127.0.0.1 serves
 * generated data, and the real pipeline (kernel, tcp transport, http source, file sink) downloads it with parallel
 * connections, verifies the MD5, and the SHA-256 of the file is checked against the generated data.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Watch a real transfer: generated data from a local server, downloaded and verified.",
            "%nStarts an HTTP server on 127.0.0.1 that serves generated data, downloads it with the real pipeline "
                    + "(kernel, tcp, http, file) into ./parcel-demo, verifies the MD5, and prints the summary and the "
                    + "SHA-256.%n"})
public final class DemoCommand extends BaseCommand {
    static final String FILE_NAME = "parcel-demo.bin";
    private static final long SEED = 0x5041_5243_454cL;

    @Option(names = {"-d", "--dir"}, paramLabel = "DIR", description = "Where to save the file (default: ./parcel-demo).")
    private String dir = "parcel-demo";

    @Option(names = "--size", paramLabel = "SIZE", description = "How much data to generate (default: 512M).")
    private String size = "512M";

    @Option(names = "--limit-rate", paramLabel = "RATE",
            description = "Bytes per second, so the transfer lasts long enough to watch; 0 for no limit (default: 100M).")
    private String limitRate = "100M";

    @Option(names = {"-n", "--connections"}, paramLabel = "N", description = "Parallel connections (default: 8).")
    private int connections = 8;

    @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
    private boolean quiet;

    @Option(names = "--progress", paramLabel = "MODE", description = "auto, bar, plain or json (default: auto).")
    private String progress = "auto";

    @Mixin
    private PluginOptions plugins = new PluginOptions();

    public DemoCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    protected int execute() throws Exception {
        long bytes = parse(OptionKey.bytes("size", 0, ""), size);
        long rate = parse(DownloadOptions.LIMIT_RATE, limitRate);
        if (connections < 1) {
            throw new UsageException("invalid value for option '--connections': " + connections + " (must be at least 1)");
        }
        ProgressMode mode = parseMode();
        Path directory = environment.resolve(dir);
        Files.createDirectories(directory);
        // A finished file from an earlier demo would be skipped as complete; a .partial one is resumed on purpose.
        Files.deleteIfExists(directory.resolve(FILE_NAME));

        say("Generating %s of test data and its MD5...", Format.bytes(bytes));
        DemoData data = new DemoData(bytes, SEED);
        DemoData.Md5 md5 = data.md5();
        ProgressView view = ProgressView.create(mode.resolve(environment.terminal()), quiet, environment.out(),
                Terminal.columns(environment.environment()));
        try (DemoServer server = DemoServer.start(data, md5, FILE_NAME);
             Kernel kernel = plugins.startKernel(environment)) {
            say("Serving it at %s; downloading with %d connections%s into %s", server.uri(), connections,
                    rate > 0 ? " at up to " + Format.rate(rate) : "", directory);
            Options options = Options.of(Map.of(
                    "dir", directory.toString(),
                    DownloadOptions.TRANSPORT.name(), "tcp",
                    DownloadOptions.CONNECTIONS.name(), Integer.toString(connections),
                    DownloadOptions.LIMIT_RATE.name(), Long.toString(rate),
                    // Small segments so every connection gets work even in a short demo.
                    DownloadOptions.SEGMENT_SIZE.name(), Long.toString(Math.max(1L << 20, Math.min(16L << 20,
                            bytes / (4L * connections))))));
            DownloadRequest request = new DownloadRequest(List.of(DownloadItem.of(server.uri().toString())), options);
            DownloadReport report = new TransferRunner(environment, view).run(kernel, request);
            if (report.exitCode() != ExitCode.SUCCESS) {
                return report.exitCode().code();
            }
            return check(report, directory, data);
        }
    }

    /** Reads the file back: it must be the generated data, byte for byte; prints its SHA-256. */
    private int check(DownloadReport report, Path directory, DemoData data) throws IOException {
        FileStatus file = report.files().get(0);
        Path path = file.location().map(Path::of).orElse(directory.resolve(file.name()));
        String sha256;
        try (InputStream in = Files.newInputStream(path)) {
            sha256 = data.verify(in);
        } catch (IOException e) {
            environment.err().println("parcel: " + path + ": " + e.getMessage());
            return ExitCode.FAILURE.code();
        }
        say("SHA-256 %s  %s", sha256, path);
        say("The file is the generated data, byte for byte%s.",
                file.state() == FileState.DONE ? " (and its MD5 was verified on the way)" : "");
        return ExitCode.SUCCESS.code();
    }

    private ProgressMode parseMode() throws UsageException {
        try {
            return ProgressMode.parse(progress);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    private static <T> T parse(OptionKey<T> key, String text) throws UsageException {
        return key.parse(text);
    }

    /** Narration for people: on standard output, except with JSON progress, which keeps standard output to itself. */
    private void say(String format, Object... arguments) {
        if (!quiet) {
            java.io.PrintWriter target = "json".equalsIgnoreCase(progress.strip()) ? environment.err() : environment.out();
            target.println(String.format(Locale.ROOT, format, arguments));
            target.flush();
        }
    }
}
