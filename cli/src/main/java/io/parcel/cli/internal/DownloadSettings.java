package io.parcel.cli.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.parcel.cli.CliEnvironment;
import io.parcel.cli.internal.progress.ProgressMode;
import io.parcel.kernel.DownloadOptions;
import io.parcel.kernel.relay.RelayOptions;
import io.parcel.spi.CommonOptions;
import io.parcel.spi.OptionKey;
import io.parcel.spi.Options;
import io.parcel.spi.UsageException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import static java.util.Objects.requireNonNull;

/**
 * The settings of one {@code download}: a config file's values with the command line's on top, checked, and mapped
 * onto the shared option names the kernel and the plugins read. The setting names are the long option names, so the
 * command line and the config file speak the same words.
 */
public final class DownloadSettings {
    /** How a setting reaches the pipeline. */
    enum Kind {
        /** Passed on as text. */
        TEXT,
        /** A file or directory: made absolute against the working directory. */
        PATH,
        /** A switch: passed on as "true" or "false". */
        FLAG,
        /** A switch that turns the named option off ({@code no-verify} sets {@code verify=false}). */
        NEGATED_FLAG,
        /** Read by the command line itself, not passed on. */
        LOCAL
    }

    /**
     * @param name       long option name without dashes, also the config file key
     * @param optionName name in {@link Options}; null for {@link Kind#LOCAL}
     * @param check      parses the value to reject bad ones early; null for none
     */
    record Setting(String name, String optionName, Kind kind, boolean repeatable, Function<String, ?> check) {
    }

    private static final OptionKey<Integer> MAX_REDIRECTS = OptionKey.integer("max-redirects", 10, "");
    private static final OptionKey<Boolean> SWITCH = OptionKey.bool("switch", false, "");

    static final List<Setting> SETTINGS = List.of(
            new Setting("dir", "dir", Kind.PATH, false, null),
            new Setting("token-file", "token-file", Kind.PATH, false, null),
            new Setting("header", "header", Kind.TEXT, true, DownloadSettings::checkHeaders),
            new Setting("server-url", "server-url", Kind.TEXT, false, null),
            new Setting("connections", DownloadOptions.CONNECTIONS.name(), Kind.TEXT, false,
                    atLeast(DownloadOptions.CONNECTIONS, 1)),
            new Setting("segment-size", DownloadOptions.SEGMENT_SIZE.name(), Kind.TEXT, false,
                    atLeast(DownloadOptions.SEGMENT_SIZE, 1L)),
            new Setting("retries", DownloadOptions.RETRIES.name(), Kind.TEXT, false,
                    atLeast(DownloadOptions.RETRIES, 0)),
            new Setting("timeout", CommonOptions.IO_TIMEOUT.name(), Kind.TEXT, false, parse(CommonOptions.IO_TIMEOUT)),
            new Setting("connect-timeout", CommonOptions.CONNECT_TIMEOUT.name(), Kind.TEXT, false,
                    parse(CommonOptions.CONNECT_TIMEOUT)),
            new Setting("limit-rate", DownloadOptions.LIMIT_RATE.name(), Kind.TEXT, false,
                    parse(DownloadOptions.LIMIT_RATE)),
            new Setting("parallel-files", DownloadOptions.PARALLEL_FILES.name(), Kind.TEXT, false,
                    atLeast(DownloadOptions.PARALLEL_FILES, 1)),
            new Setting("transport", DownloadOptions.TRANSPORT.name(), Kind.TEXT, false, null),
            new Setting("ca-file", "ca-file", Kind.PATH, false, null),
            new Setting("via", RelayOptions.VIA.name(), Kind.TEXT, false, parse(RelayOptions.VIA)),
            new Setting("via-token-file", RelayOptions.VIA_TOKEN_FILE.name(), Kind.PATH, false, null),
            new Setting("via-ca-file", RelayOptions.VIA_CA_FILE.name(), Kind.PATH, false, null),
            // The relay client checks the pin's form, together with the other via-* settings.
            new Setting("via-pin", RelayOptions.VIA_PIN.name(), Kind.TEXT, false, null),
            new Setting("max-redirects", MAX_REDIRECTS.name(), Kind.TEXT, false, atLeast(MAX_REDIRECTS, 0)),
            new Setting("overwrite", "overwrite", Kind.FLAG, false, parse(SWITCH)),
            new Setting("no-verify", "verify", Kind.NEGATED_FLAG, false, parse(SWITCH)),
            new Setting("quiet", null, Kind.LOCAL, false, parse(SWITCH)),
            new Setting("debug", null, Kind.LOCAL, false, parse(SWITCH)),
            new Setting("progress", null, Kind.LOCAL, false, ProgressMode::parse),
            new Setting("log-file", null, Kind.LOCAL, false, null),
            new Setting("plugins-dir", null, Kind.LOCAL, true, null));

    private static final Map<String, Setting> BY_NAME = SETTINGS.stream()
            .collect(Collectors.toUnmodifiableMap(Setting::name, Function.identity()));

    /** Keys a config file may use. */
    public static final Set<String> CONFIG_KEYS = BY_NAME.keySet();
    public static final Set<String> REPEATABLE = SETTINGS.stream().filter(Setting::repeatable).map(Setting::name)
            .collect(Collectors.toUnmodifiableSet());

    private final Map<String, String> values;

    private DownloadSettings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * The settings given on the command line, by long option name; repeated options joined by '\n', switches as
     * "true". Options that are not settings (such as {@code --manifest}) are left out.
     */
    public static Map<String, String> fromCommandLine(ParseResult parseResult) {
        Map<String, String> values = new LinkedHashMap<>();
        for (OptionSpec option : parseResult.matchedOptions()) {
            String name = option.longestName().replaceFirst("^-+", "");
            if (!BY_NAME.containsKey(name)) {
                continue;
            }
            if (option.typeInfo().isBoolean()) {
                values.put(name, "true");
            } else {
                values.put(name, String.join("\n", option.stringValues()));
            }
        }
        return values;
    }

    /**
     * The config file's values with {@code commandLine}'s on top (a repeatable option given on the command line
     * replaces the file's lines), each checked.
     *
     * @throws UsageException naming the option and where its bad value came from
     */
    public static DownloadSettings resolve(Map<String, String> commandLine, ConfigFile config) throws UsageException {
        requireNonNull(commandLine, "commandLine is null");
        requireNonNull(config, "config is null");
        Map<String, String> values = new LinkedHashMap<>();
        config.entries().forEach((key, entry) -> values.put(key, entry.value()));
        values.putAll(commandLine);
        for (Map.Entry<String, String> entry : values.entrySet()) {
            Setting setting = BY_NAME.get(entry.getKey());
            if (setting == null) {
                throw new UsageException("unknown setting '" + entry.getKey() + "'");
            }
            if (setting.check() == null) {
                continue;
            }
            try {
                setting.check().apply(entry.getValue());
            } catch (RuntimeException e) {
                Throwable cause = e instanceof UncheckedUsage ? e.getCause() : e;
                String where = commandLine.containsKey(setting.name())
                        ? "option --" + setting.name() : config.where(setting.name());
                throw new UsageException(where + ": " + cause.getMessage(), cause);
            }
        }
        return new DownloadSettings(values);
    }

    /** The options for the kernel and plugins; the download directory defaults to the working directory. */
    public Options options(CliEnvironment environment) {
        Map<String, String> options = new LinkedHashMap<>();
        for (Setting setting : SETTINGS) {
            String value = values.get(setting.name());
            if (value == null || setting.kind() == Kind.LOCAL) {
                continue;
            }
            String mapped = switch (setting.kind()) {
                case PATH -> environment.resolve(value).toString();
                case FLAG -> Boolean.toString(isOn(value));
                case NEGATED_FLAG -> Boolean.toString(!isOn(value));
                default -> value;
            };
            options.put(setting.optionName(), mapped);
        }
        options.putIfAbsent("dir", environment.workingDirectory().toString());
        return Options.of(options);
    }

    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public boolean quiet() {
        return value("quiet").map(DownloadSettings::isOn).orElse(false);
    }

    public boolean debug() {
        return value("debug").map(DownloadSettings::isOn).orElse(false);
    }

    public ProgressMode progress() {
        return value("progress").map(ProgressMode::parse).orElse(ProgressMode.AUTO);
    }

    public Optional<String> logFile() {
        return value("log-file");
    }

    public List<String> pluginDirectories() {
        return value("plugins-dir").map(text -> Arrays.asList(text.split("\n"))).orElse(List.of());
    }

    /** The options as they may be logged: header values (which can carry credentials) hidden. */
    public static String describe(Options options) {
        Map<String, String> shown = new LinkedHashMap<>(options.asMap());
        shown.computeIfPresent("header", (name, value) -> value.lines().count() + " header(s), values hidden");
        return shown.toString();
    }

    private static boolean isOn(String value) {
        try {
            return SWITCH.parse(value);
        } catch (UsageException e) {
            throw new UncheckedUsage(e);
        }
    }

    private static Function<String, Object> parse(OptionKey<?> key) {
        return text -> {
            try {
                return key.parse(text);
            } catch (UsageException e) {
                throw new UncheckedUsage(e);
            }
        };
    }

    private static <T extends Number> Function<String, Object> atLeast(OptionKey<T> key, T minimum) {
        return text -> {
            try {
                T value = key.parse(text);
                if (value.longValue() < minimum.longValue()) {
                    throw new UncheckedUsage(new UsageException("invalid value for option '" + key.name() + "': '"
                            + text + "' (must be at least " + minimum + ")"));
                }
                return value;
            } catch (UsageException e) {
                throw new UncheckedUsage(e);
            }
        };
    }

    private static Object checkHeaders(String text) {
        for (String header : text.split("\n")) {
            int colon = header.indexOf(':');
            if (colon <= 0 || header.substring(0, colon).isBlank() || header.substring(0, colon).contains(" ")) {
                throw new UncheckedUsage(new UsageException("invalid header '" + redact(header)
                        + "': expected 'Name: value'"));
            }
        }
        return text;
    }

    /** Enough of a header to recognise it, never a credential it may carry. */
    private static String redact(String header) {
        int colon = header.indexOf(':');
        if (colon < 0) {
            return "<" + header.length() + " characters>";
        }
        String name = header.substring(0, colon);
        return (name.length() > 40 ? name.substring(0, 40) + "..." : name) + ": ...";
    }

    /** Carries a {@link UsageException} through the checking functions. */
    private static final class UncheckedUsage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedUsage(UsageException cause) {
            super(cause);
        }
    }
}
