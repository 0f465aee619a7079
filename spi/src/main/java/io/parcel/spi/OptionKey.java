package io.parcel.spi;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * A typed option: a name as users write it (on the command line, in a config file), a parser, and a default.
 * Option values travel as text in {@link Options} and are parsed on access, so every layer (command line,
 * config file, pipeline file) speaks the same strings. Common keys live in {@link CommonOptions}; a plugin
 * declares its own keys in its own class.
 *
 * @param <T> the type of the parsed value
 */
public final class OptionKey<T> {
    private final String name;
    private final T defaultValue;
    private final Function<String, T> parser;
    private final String description;

    private OptionKey(String name, T defaultValue, Function<String, T> parser, String description) {
        this.name = requireNonNull(name, "name is null");
        this.defaultValue = defaultValue;
        this.parser = requireNonNull(parser, "parser is null");
        this.description = requireNonNull(description, "description is null");
        if (!name.matches("[a-z][a-z0-9.-]*")) {
            throw new IllegalArgumentException("option name must be lower-case words joined by '-' or '.': " + name);
        }
    }

    public static <T> OptionKey<T> of(String name, T defaultValue, Function<String, T> parser, String description) {
        return new OptionKey<>(name, defaultValue, parser, description);
    }

    public static OptionKey<String> string(String name, String defaultValue, String description) {
        return new OptionKey<>(name, defaultValue, text -> text, description);
    }

    public static OptionKey<Integer> integer(String name, int defaultValue, String description) {
        return new OptionKey<>(name, defaultValue, Integer::parseInt, description);
    }

    public static OptionKey<Boolean> bool(String name, boolean defaultValue, String description) {
        return new OptionKey<>(name, defaultValue, OptionKey::parseBoolean, description);
    }

    /** A byte count: a plain number or one with a binary suffix (K, M, G, T; "KiB"/"KB" alike mean 1024). */
    public static OptionKey<Long> bytes(String name, long defaultValue, String description) {
        return new OptionKey<>(name, defaultValue, OptionKey::parseBytes, description);
    }

    /** A duration: "250ms", "30s", "5m", "1h", or a plain number of seconds. */
    public static OptionKey<Duration> duration(String name, Duration defaultValue, String description) {
        return new OptionKey<>(name, defaultValue, OptionKey::parseDuration, description);
    }

    public String name() {
        return name;
    }

    /** The value used when the option is not given; may be null for options with no default. */
    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /**
     * Parses a value as a user wrote it.
     *
     * @throws UsageException naming the option and the text when the text does not parse
     */
    public T parse(String text) throws UsageException {
        requireNonNull(text, "text is null");
        try {
            return parser.apply(text.trim());
        } catch (RuntimeException e) {
            throw new UsageException("invalid value for option '" + name + "': '" + text + "'"
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    static boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    static long parseBytes(String text) {
        String value = text.toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        long multiplier = 1;
        if (!value.isEmpty()) {
            char unit = value.charAt(value.length() - 1);
            int shift = switch (unit) {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                case 'T' -> 40;
                default -> 0;
            };
            if (shift > 0) {
                value = value.substring(0, value.length() - 1);
                multiplier = 1L << shift;
            }
        }
        long result = Math.multiplyExact(Long.parseLong(value.trim()), multiplier);
        if (result < 0) {
            throw new IllegalArgumentException("must not be negative");
        }
        return result;
    }

    static Duration parseDuration(String text) {
        String value = text.toLowerCase(Locale.ROOT);
        Duration result;
        if (value.endsWith("ms")) {
            result = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        } else if (value.endsWith("s")) {
            result = Duration.ofMillis(Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 1000));
        } else if (value.endsWith("m")) {
            result = Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
        } else if (value.endsWith("h")) {
            result = Duration.ofHours(Long.parseLong(value.substring(0, value.length() - 1)));
        } else {
            result = Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
        }
        if (result.isNegative()) {
            throw new IllegalArgumentException("must not be negative");
        }
        return result;
    }
}
