package io.parcel.cli.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.PluginOptions;
import io.parcel.cli.internal.progress.ProgressView;
import io.parcel.kernel.DownloadItem;
import io.parcel.kernel.DownloadRequest;
import io.parcel.kernel.Kernel;
import io.parcel.spi.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code parcel download}: fetches files behind URLs or file IDs in parallel segments, resumably, and verifies them.
 * The option fields document the command line; their values are read through the parse result, so the config file
 * and the command line go through one path ({@link DownloadSettings}).
 */
@Command(name = "download", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {
            "Download files over HTTP(S) in parallel segments, resumably, verified.",
            "%nA URL is fetched as given; a FILE_ID from <server-url>/data/<FILE_ID>. Files are written as "
                    + "<name>.partial with a journal beside it and renamed once size and MD5 are verified; after an "
                    + "interruption, run the same command again to resume.%n",
        },
        footerHeading = "%nConfig file:%n",
        footer = {
            "Defaults can be set in a file of 'key = value' lines using the long option names (e.g. 'server-url = "
                    + "https://api.example.org', 'connections = 16'); the command line wins. Read from --config FILE, "
                    + "else $XDG_CONFIG_HOME/parcel/config or ~/.config/parcel/config when it exists.",
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every file downloaded and verified (or already complete)",
            "1:a transfer or a verification failed",
            "2:usage or configuration error; nothing was transferred",
        })
public final class DownloadCommand extends BaseCommand {
    @Parameters(paramLabel = "URL|FILE_ID", arity = "0..*", description = "What to download.")
    private List<String> locators = new ArrayList<>();

    @Option(names = {"-d", "--dir"}, paramLabel = "DIR", description = "Directory to save files in (default: the current directory).")
    private String dir;

    @Option(names = {"-m", "--manifest"}, paramLabel = "FILE",
            description = "GDC manifest (tab-separated with columns id, filename, md5, size); repeatable.")
    private List<String> manifests = new ArrayList<>();

    @Option(names = {"-s", "--server-url"}, paramLabel = "URL",
            description = "Base URL that turns a FILE_ID into <URL>/data/<FILE_ID>.")
    private String serverUrl;

    @Option(names = {"-t", "--token-file"}, paramLabel = "FILE",
            description = "File holding an auth token, sent as X-Auth-Token (never logged).")
    private String tokenFile;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "Extra request header; repeatable.")
    private List<String> headers = new ArrayList<>();

    @Option(names = {"-n", "--connections"}, paramLabel = "N", description = "Parallel connections per file (default: 8);"
            + " without --parallel-files, the files share them.")
    private String connections;

    @Option(names = "--segment-size", paramLabel = "SIZE",
            description = "Size of the ranges a file is cut into, e.g. 16M (default: 0, the file split evenly across"
                    + " its connections, at least 16M each).")
    private String segmentSize;

    @Option(names = "--retries", paramLabel = "N", description = "Attempts per range after a transient failure (default: 5).")
    private String retries;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Longest wait for a read or write to make progress, e.g. 60s (default: 60s).")
    private String timeout;

    @Option(names = "--connect-timeout", paramLabel = "DURATION",
            description = "Longest wait for a connection to open (default: 30s).")
    private String connectTimeout;

    @Option(names = "--limit-rate", paramLabel = "RATE",
            description = "Total bytes per second, e.g. 10M (default: no limit).")
    private String limitRate;

    @Option(names = "--parallel-files", paramLabel = "N", description = "Files downloaded at once, each with its own"
            + " connections (default: the files share the --connections: small files run side by side, a large one"
            + " grows to all of them).")
    private String parallelFiles;

    @Option(names = "--no-verify", description = "Do not check the MD5 of finished files.")
    private boolean noVerify;

    @Option(names = "--overwrite", description = "Replace existing files that differ.")
    private boolean overwrite;

    @Option(names = "--transport", paramLabel = "NAME", description = "Transport plugin to connect with (default: tcp).")
    private String transport;

    @Option(names = "--ca-file", paramLabel = "FILE",
            description = "PEM certificates to trust besides the system's certificate authorities.")
    private String caFile;

    @Option(names = "--via", paramLabel = "HOST:PORT",
            description = "Relay to connect through (a 'parcel serve'); HTTPS stays end to end.")
    private String via;

    @Option(names = "--via-token-file", paramLabel = "FILE", description = "File holding the relay's admission token.")
    private String viaTokenFile;

    @Option(names = "--via-ca-file", paramLabel = "FILE",
            description = "PEM CA certificates to verify the relay with; turns TLS to the relay on.")
    private String viaCaFile;

    @Option(names = "--via-pin", paramLabel = "SHA256",
            description = "The relay certificate's SHA-256, hex, colons allowed; turns TLS to the relay on.")
    private String viaPin;

    @Option(names = "--max-redirects", paramLabel = "N", description = "Redirects followed per request (default: 10).")
    private String maxRedirects;

    @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
    private boolean quiet;

    @Option(names = "--progress", paramLabel = "MODE",
            description = "auto, bar, plain or json (default: auto = bar on a terminal, else plain).")
    private String progress;

    @Option(names = "--config", paramLabel = "FILE", description = "Read defaults from FILE (see below).")
    private String config;

    @Mixin
    private PluginOptions plugins = new PluginOptions();

    @Spec
    private CommandSpec spec;

    /** A locator naming a scheme is a URL; anything else is a file ID. */
    private static final java.util.regex.Pattern URL = java.util.regex.Pattern.compile("(?s)[A-Za-z][A-Za-z0-9+.-]*://.*");

    private DownloadSettings settings;

    public DownloadCommand(CliEnvironment environment) {
        super(environment);
    }

    @Override
    protected void prepare() throws UsageException {
        ConfigFile configFile;
        if (config != null) {
            configFile = ConfigFile.read(environment.resolve(config), DownloadSettings.CONFIG_KEYS,
                    DownloadSettings.REPEATABLE);
        } else {
            Optional<java.nio.file.Path> defaultPath = ConfigFile.defaultPath(environment);
            configFile = defaultPath.isPresent()
                    ? ConfigFile.read(defaultPath.get(), DownloadSettings.CONFIG_KEYS, DownloadSettings.REPEATABLE)
                    : ConfigFile.none();
        }
        settings = DownloadSettings.resolve(DownloadSettings.fromCommandLine(spec.commandLine().getParseResult()),
                configFile);
    }

    @Override
    protected boolean debug() {
        return settings.debug();
    }

    @Override
    protected Optional<String> logFile() {
        return settings.logFile();
    }

    @Override
    protected int execute() throws Exception {
        List<DownloadItem> items = items();
        DownloadRequest request = new DownloadRequest(items, settings.options(environment));
        ProgressView view = ProgressView.create(settings.progress().resolve(environment.terminal()), settings.quiet(),
                environment.out(), Terminal.columns(environment.environment()));
        try (Kernel kernel = Kernel.start(plugins.kernelConfig(environment, settings.pluginDirectories()))) {
            return new TransferRunner(environment, view).run(kernel, request).exitCode().code();
        }
    }

    /** Positional URLs and IDs first, then the manifests' rows. */
    private List<DownloadItem> items() throws UsageException {
        List<DownloadItem> items = new ArrayList<>();
        for (String locator : locators) {
            if (!locator.isBlank()) {
                items.add(DownloadItem.of(locator.strip()));
            }
        }
        for (String manifest : manifests) {
            items.addAll(Manifest.read(environment.resolve(manifest)));
        }
        if (items.isEmpty()) {
            throw new UsageException("nothing to download: give URLs or file IDs, or a manifest with -m FILE"
                    + " (see 'parcel download --help')");
        }
        if (settings.value("server-url").isEmpty()) {
            for (DownloadItem item : items) {
                if (!URL.matcher(item.locator()).matches()) {
                    throw new UsageException("'" + item.locator() + "' is not a URL, so it is taken as a file ID,"
                            + " which needs --server-url (or server-url in the config file)");
                }
            }
        }
        return items;
    }
}
